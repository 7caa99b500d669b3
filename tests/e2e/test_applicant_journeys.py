"""An applicant's journeys, in a real browser: sign-up to submission, and answering the AdN.

Buttons are found by their form field (`name=save_draft`) or their target URL rather than by
their label: the labels are translated, and the catalogue changes more often than the forms."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from adn_portal.accounts.roles import Role
from adn_portal.mailer.models import OutgoingEmail
from applications import services
from applications.models import Application
from applications.steps import steps_for
from applications.workflow import Actor, Status
from programs.models import EligibilityRule, FormSection, Programme, ProgrammeStaff
from tests.factories import (
    DEFAULT_PASSWORD,
    CallFactory,
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)

from .browser import assert_styled, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EMAIL = "julie@menuiserie-dupont.be"
PASSWORD = "un-mot-de-passe-solide-42"
STATUS_SUBMITTED = re.compile(r"^(Introduit|Submitted)$")


def start_ia_call():
    return CallFactory(
        programme=Programme.objects.get(code=Programme.Code.START_IA),
        slug="start-ia-printemps",
        title_fr="Start IA — appel de printemps",
        audiences=["sme"],
        eligibility_rules=[
            EligibilityRule.WALLOON_SEAT,
            EligibilityRule.SME_SIZE,
            EligibilityRule.EXPERT_RECOGNISED,
        ],
        form_sections=[FormSection.CHALLENGES, FormSection.EXPERT, FormSection.ATTACHMENTS],
    )


def submit_form(page):
    """The main form's submit button (the navbar's language buttons are submit buttons too)."""
    page.locator("main form[method=post] button[type=submit]").first.click()


def test_applicant_journey_from_sign_up_to_submission(page, tmp_path):
    call = start_ia_call()
    ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START"])
    ExpertFactory(organisation__name="Données Ardennes SRL", programmes=["START"])
    year = timezone.localdate().year

    # A visitor arrives on the home page, styled, in French.
    page.goto("/")
    assert_styled(page)
    assert page.locator("html").get_attribute("lang") == "fr"
    shot(page, "01-home")

    # Sign-up, in French.
    page.locator("main a[href='/compte/signup/']").first.click()
    page.fill("input[name=first_name]", "Julie")
    page.fill("input[name=last_name]", "Dupont")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.select_option("select[name=language]", "fr")
    shot(page, "02-sign-up")
    submit_form(page)
    page.wait_for_url(re.compile(r"/compte/confirm-email/$"))

    # The verification e-mail left through the outbox (which keeps no copy of its link);
    # the link in the message sent confirms the address.
    assert OutgoingEmail.objects.get(to=EMAIL).sent_at is not None
    body = next(m.body for m in mail.outbox if m.to == [EMAIL])
    path = re.search(r"https?://[^/\s]+(/compte/confirm-email/[^/\s]+/)", body).group(1)
    page.goto(path)
    shot(page, "03-confirm-email")
    submit_form(page)
    page.wait_for_url("/")
    expect(page.locator("header nav").get_by_text("Julie")).to_be_visible()

    # No organisation yet: "my files" offers to register one. Staff and turnover are left
    # out, so the SME check cannot pass yet.
    page.locator("header a[href='/dossiers/']").click()
    page.locator("main a[href='/organisations/nouvelle/']").click()
    page.fill("input[name=name]", "Menuiserie Dupont SRL")
    page.fill("input[name=enterprise_number]", "0403.170.701")
    page.select_option("select[name=kind]", "sme")
    page.fill("input[name=street]", "Rue de la Station 12")
    page.fill("input[name=postcode]", "4000")
    page.fill("input[name=headcount]", "12")
    shot(page, "04-organisation-new")
    submit_form(page)
    page.wait_for_url(re.compile(r"/organisations/\d+/$"))
    expect(page.locator("main h1")).to_have_text("Menuiserie Dupont SRL")
    expect(page.locator("main dl")).to_contain_text("4000 Liège")

    # The call page, then a new draft.
    page.goto(call.get_absolute_url())
    expect(page.locator("main h1")).to_have_text("Start IA — appel de printemps")
    shot(page, "05-call")
    page.locator(f"main form[action='/appels/{call.slug}/demande/'] button").click()
    page.wait_for_url(re.compile(r"/etapes/organisation/$"))
    application = Application.objects.get()
    expect(page.locator("main").get_by_text("0403.170.701")).to_be_visible()
    shot(page, "06-step-organisation")
    page.check("input[name=confirmed]")
    page.click("button[name=save_continue]")

    page.wait_for_url(re.compile(r"/etapes/contact/$"))
    page.fill("input[name=contact_name]", "Julie Dupont")
    page.fill("input[name=contact_function]", "Gérante")
    page.fill("input[name=contact_email]", EMAIL)
    page.fill("input[name=contact_phone]", "+32 4 123 45 67")
    shot(page, "07-step-contact")
    page.click("button[name=save_continue]")

    # Half of the needs, saved as a draft; she leaves for the home page.
    page.wait_for_url(re.compile(r"/etapes/needs/$"))
    page.fill("textarea[name=activity]", "Menuiserie industrielle, 12 personnes.")
    with page.expect_navigation():
        page.click("button[name=save_draft]")
    expect(page.locator(".messages .alert-success")).to_be_visible()
    shot(page, "08-step-needs-draft-saved")
    page.locator("header a.navbar-brand").click()
    page.wait_for_url("/")

    # Later: "my files", the draft, and "Continue the application" opens the step she left
    # (the first one still to do).
    page.locator("header a[href='/dossiers/']").click()
    page.locator(f"main table a[href='/dossiers/{application.pk}/']").click()
    shot(page, "09-file-draft")
    page.locator(f"main a[href='/dossiers/{application.pk}/etapes/needs/']").click()
    page.wait_for_url(re.compile(r"/etapes/needs/$"))
    expect(page.locator("textarea[name=activity]")).to_have_value(
        "Menuiserie industrielle, 12 personnes."
    )
    page.fill("textarea[name=challenges]", "Planifier la production.")
    page.fill("textarea[name=available_data]", "Historique des commandes.")
    page.check("input[name=maturity][value=exploring]")
    page.fill("textarea[name=expected_benefits]", "Moins de retards.")
    shot(page, "10-step-needs")
    page.click("button[name=save_continue]")

    page.wait_for_url(re.compile(r"/etapes/expert/$"))
    # The experts proposed for her needs come first; she searches the whole list instead,
    # which narrows as she types.
    expect(page.locator(".expert-proposals")).to_contain_text("Vision Meuse SRL")
    options = page.locator(".picker-option")
    expect(options.filter(visible=True)).to_have_count(2)
    page.fill("input[name=expert_q]", "meuse")
    expect(options.filter(visible=True)).to_have_count(1)
    options.filter(has_text="Vision Meuse SRL").locator("input[name=expert]").check()
    page.fill("textarea[name=availability]", "Les mardis et jeudis.")
    shot(page, "11-step-expert")
    page.click("button[name=save_continue]")

    # Documents: a small real PDF, checked by its content on the server.
    page.wait_for_url(re.compile(r"/etapes/documents/$"))
    pdf = tmp_path / "plan-de-production.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.set_input_files("input[type=file][name=file]", pdf)
    with page.expect_navigation():
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("main .list-group").get_by_text("plan-de-production.pdf")).to_be_visible()
    shot(page, "12-step-documents")
    page.locator(f"main div.d-flex > a[href='/dossiers/{application.pk}/relecture/']").click()

    # The review page: every answer and the document, each with a link to change it, then
    # the checks. The SME check fails (figures missing): the button is disabled, and says why.
    page.wait_for_url(f"/dossiers/{application.pk}/relecture/")
    main = page.locator("main")
    expect(main.locator("#review-contact").locator("xpath=../..")).to_contain_text(EMAIL)
    needs = main.locator("#review-needs").locator("xpath=../..")
    expect(needs).to_contain_text("Menuiserie industrielle, 12 personnes.")
    expect(needs).to_contain_text("Moins de retards.")
    expect(main.locator("#review-expert").locator("xpath=../..")).to_contain_text(
        "Vision Meuse SRL"
    )
    expect(main.get_by_role("link", name="plan-de-production.pdf")).to_be_visible()
    expect(main.locator("section.review-step .badge.text-bg-warning")).to_have_count(0)
    failed = page.locator(".eligibility-checks li.text-danger-emphasis")
    expect(failed).to_have_count(1)
    fix = failed.get_by_role("link", name="Le faire maintenant")
    expect(fix).to_have_attribute(
        "href",
        f"/organisations/{application.organisation_id}/modifier/"
        f"?next=%2Fdossiers%2F{application.pk}%2Frelecture%2F",
    )
    submit = page.locator(f"form[action='/dossiers/{application.pk}/introduire/'] button")
    expect(submit).to_have_text("Introduire ma demande")
    expect(submit).to_be_disabled()
    expect(page.locator("#submit-blocked")).to_be_visible()
    page.check("input[name=gdpr_consent]")
    page.check("input[name=sworn_statement]")
    shot(page, "13-review-check-failed")

    # A button forced on (a page left open while the figures were removed, say) is refused
    # by the server, with the same explanation; the file stays a draft.
    submit.evaluate("button => { button.disabled = false; }")
    with page.expect_navigation():
        submit.click()
    expect(page.locator(".messages .alert-danger")).to_be_visible()
    expect(failed).to_have_count(1)
    expect(submit).to_be_disabled()
    application.refresh_from_db()
    assert application.status == Status.DRAFT

    # She adds the turnover on the organisation's page and is brought back to the review:
    # every check passes and the button is enabled.
    fix.click()
    page.wait_for_url(re.compile(rf"/organisations/{application.organisation_id}/modifier/"))
    page.fill("input[name=turnover]", "1500000")
    submit_form(page)
    page.wait_for_url(f"/dossiers/{application.pk}/relecture/")
    expect(failed).to_have_count(0)
    expect(page.locator(".eligibility-checks li.text-success-emphasis")).to_have_count(5)
    expect(submit).to_be_enabled()

    # Without the declarations ticked, the submission is refused beside them.
    with page.expect_navigation():
        submit.click()
    expect(page.locator("main .error-summary")).to_be_visible()
    expect(page.locator("#id_gdpr_consent.is-invalid")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.DRAFT

    # Both declarations ticked: the file is submitted.
    page.check("input[name=gdpr_consent]")
    page.check("input[name=sworn_statement]")
    shot(page, "14-review-all-checks-pass")
    submit.click()

    # The file page: its reference, its status, its document, the acknowledgement.
    page.wait_for_url(f"/dossiers/{application.pk}/")
    main = page.locator("main")
    expect(main.locator("p.fs-5 strong")).to_have_text(f"START-{year}-0001")
    expect(main.locator("p.fs-5 .badge")).to_have_text(STATUS_SUBMITTED)
    expect(main.get_by_role("link", name="plan-de-production.pdf")).to_be_visible()
    expect(main.locator("article.card")).to_have_count(1)  # the acknowledgement, on the page
    shot(page, "15-file-submitted")
    acknowledgement = OutgoingEmail.objects.filter(to=EMAIL).latest("pk")
    assert f"START-{year}-0001" in acknowledgement.subject
    assert OutgoingEmail.objects.filter(to=EMAIL).count() == 2  # verification, acknowledgement


def submitted_file(applicant, organisation, call, expert) -> Application:
    """A Start IA file filled in and submitted through the services, as the pages would."""
    application = services.application_start(call=call, organisation=organisation, by=applicant)
    answers = {
        "organisation": {"confirmed": True},
        "contact": {
            "contact_name": "Marc Lambert",
            "contact_function": "Directeur",
            "contact_email": applicant.email,
            "contact_phone": "+32 81 12 34 56",
        },
        "needs": {
            "activity": "Imprimerie.",
            "challenges": "Prévoir les pannes.",
            "available_data": "Journaux des machines.",
            "maturity": "none",
            "expected_benefits": "Moins d'arrêts.",
        },
        "expert": {"expert": expert.pk, "availability": "Les lundis."},
    }
    for step in steps_for(call):
        if step.is_documents:
            continue
        form = step.form_class(answers[step.slug], application=application)
        assert form.is_valid(), (step.slug, form.errors)
        application = services.application_save_step(
            application=application,
            step=step,
            cleaned=form.cleaned_data,
            raw={},
            version=application.version,
            by=applicant,
        )
    return services.application_submit(
        application=application,
        by=applicant,
        declarations={"gdpr_consent": True, "sworn_statement": True},
    )


def test_applicant_answers_an_information_request(page):
    organisation = OrganisationFactory(name="Imprimerie Lambert SA", postcode="5000")
    applicant = make_member(organisation, UserFactory(email="marc@imprimerie-lambert.be"))
    expert = ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START"])
    application = submitted_file(applicant, organisation, start_ia_call(), expert)
    reviewer = UserFactory(email="anne@adn.be", role=Role.REVIEWER)
    ProgrammeStaff.objects.create(user=reviewer, programme=application.programme)
    services.application_request_information(
        application=application,
        by=reviewer,
        actor=Actor.REVIEWER,
        message="Précisez vos données.",
    )

    page.goto("/compte/login/")
    page.fill("input[name=login]", applicant.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    submit_form(page)
    page.wait_for_url("/")

    page.locator("header a[href='/dossiers/']").click()
    page.locator("main table").get_by_role("link", name=application.reference).click()
    page.wait_for_url(f"/dossiers/{application.pk}/")
    expect(page.locator("main .message-body").get_by_text("Précisez vos données.")).to_be_visible()
    shot(page, "20-file-information-requested")

    page.locator(f"main a[href='/dossiers/{application.pk}/reponse/']").click()
    expect(page.locator("main").get_by_text("Précisez vos données.")).to_be_visible()
    page.fill("textarea[name=answer]", "Nous avons 3 ans de journaux, une ligne par minute.")
    shot(page, "21-answer")
    page.locator("main form", has=page.locator("textarea[name=answer]")).locator(
        "button[type=submit]"
    ).click()

    page.wait_for_url(f"/dossiers/{application.pk}/")
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("main p.fs-5 .badge")).to_have_text(STATUS_SUBMITTED)
    shot(page, "22-file-answered")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.versions.count() == 2  # submitted, then with the answer
