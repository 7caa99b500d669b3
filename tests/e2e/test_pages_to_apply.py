"""How many pages a new applicant loads from the home page to a submitted Start IA request:
signing up, confirming the address with the e-mail's link, registering the organisation, the
steps, the review and the submission. Each document the tab loads counts (the main frame's
DOMContentLoaded: it precedes the "load" every step waits for, so none is missed); redirects
within one load do not. The target is at most 12; the shortest path (no mistake, no optional
document) takes exactly 12 today, listed below so that a page added on the way shows here."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from applications.models import Application
from applications.workflow import Status
from tests.factories import ExpertFactory

from .browser import shot
from .test_applicant_journeys import start_ia_call, submit_form

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = 12
EMAIL = "julie@menuiserie-dupont.be"
PASSWORD = "un-mot-de-passe-solide-42"


def test_a_new_applicant_reaches_a_submitted_start_ia_request_in_12_page_loads(page):
    call = start_ia_call()
    ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START"])
    loads = []
    page.on("domcontentloaded", lambda: loads.append(urlsplit(page.url).path))

    # The home page lists the open call; its page offers to create an account and apply.
    page.goto("/")
    page.locator(f"main a[href='{call.get_absolute_url()}']").first.click()
    page.wait_for_url(call.get_absolute_url())
    page.click("main button[name=account][value=signup]")
    page.wait_for_url(re.compile(r"/compte/signup/"))
    page.fill("input[name=first_name]", "Julie")
    page.fill("input[name=last_name]", "Dupont")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit_form(page)
    page.wait_for_url(re.compile(r"/compte/confirm-email/$"))

    # The link of the e-mail, opened in the same browser; confirming logs her in and leads
    # on to registering her organisation, then back to the call's application.
    body = next(m.body for m in mail.outbox if m.to == [EMAIL])
    link = re.search(r"https?://[^/\s]+(/compte/confirm-email/[^/\s]+/)", body).group(1)
    page.goto(link)
    with page.expect_navigation():
        submit_form(page)
    page.wait_for_url(re.compile(r"/organisations/nouvelle/"))
    page.fill("input[name=name]", "Menuiserie Dupont SRL")
    page.fill("input[name=enterprise_number]", "0403.170.701")
    page.select_option("select[name=kind]", "sme")
    page.fill("input[name=street]", "Rue de la Station 12")
    page.fill("input[name=postcode]", "4000")
    page.fill("input[name=headcount]", "12")
    page.fill("input[name=turnover]", "1500000")
    with page.expect_navigation():
        submit_form(page)
    # The organisation was registered on the way: its step is done, the contact comes first.
    page.wait_for_url(re.compile(r"/etapes/contact/$"))
    application = Application.objects.get()
    page.fill("input[name=contact_name]", "Julie Dupont")
    page.fill("input[name=contact_function]", "Gérante")
    page.fill("input[name=contact_email]", EMAIL)
    page.fill("input[name=contact_phone]", "+32 4 123 45 67")
    page.click("button[name=save_continue]")
    page.wait_for_url(re.compile(r"/etapes/needs/$"))
    page.fill("textarea[name=activity]", "Menuiserie industrielle, 12 personnes.")
    page.fill("textarea[name=challenges]", "Planifier la production.")
    page.fill("textarea[name=available_data]", "Historique des commandes.")
    page.check("input[name=maturity][value=exploring]")
    page.fill("textarea[name=expected_benefits]", "Moins de retards.")
    page.click("button[name=save_continue]")
    page.wait_for_url(re.compile(r"/etapes/expert/$"))
    page.locator(".picker-option", has_text="Vision Meuse SRL").locator(
        "input[name=expert]"
    ).check()
    page.fill("textarea[name=availability]", "Les mardis et jeudis.")
    page.click("button[name=save_continue]")
    # No document is required for Start IA: on to the review.
    page.wait_for_url(re.compile(r"/etapes/documents/$"))
    review = f"/dossiers/{application.pk}/relecture/"
    page.locator(f"main div.d-flex > a[href='{review}']").click()
    page.wait_for_url(review)
    page.check("input[name=gdpr_consent]")
    page.check("input[name=sworn_statement]")
    page.locator(f"form[action='/dossiers/{application.pk}/introduire/'] button").click()
    page.wait_for_url(application.get_absolute_url())
    shot(page, "pages-to-apply-submitted")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    pk = application.pk
    assert [
        re.sub(r"/compte/confirm-email/[^/]+/", "/compte/confirm-email/<key>/", p) for p in loads
    ] == [
        "/",
        call.get_absolute_url(),
        "/compte/signup/",
        "/compte/confirm-email/",  # "check your mail"
        "/compte/confirm-email/<key>/",  # the e-mail's link: confirm the address
        "/organisations/nouvelle/",
        f"/dossiers/{pk}/etapes/contact/",
        f"/dossiers/{pk}/etapes/needs/",
        f"/dossiers/{pk}/etapes/expert/",
        f"/dossiers/{pk}/etapes/documents/",
        f"/dossiers/{pk}/relecture/",
        f"/dossiers/{pk}/",  # submitted
    ]
    assert len(loads) <= TARGET, loads
