"""axe-core on the pages and states issue 18 added (the applicant's path): the footer's pages,
"Which programme for me?" and its answer, a call's page with its documents and FAQ, an
expert's page with "Choose this expert" and the page that follows it, the review page, and a
step showing a conflict or the text put back after a lost session; the staff's pages that keep
a call's documents and FAQ. The audit and its rules are
test_accessibility.py's: no violation of impact serious or critical."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from adn_portal.accounts.roles import Role
from applications.services import application_start
from programs import services as programme_services
from programs.models import Programme
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff

from .test_accessibility import AXE, audit_pages, report, session_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RULES = "{runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}"


def audit_here(page, label: str) -> list[dict]:
    """The page as it is now (after the script changed it), not as first served."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"async () => await axe.run(document, {RULES})")
    return [
        {
            "url": label,
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def call_with_its_page():
    call = CallFactory(
        slug="start-ia-pme",
        programme=Programme.objects.get(code="START"),
        audiences=["sme", "startup"],
        eligibility_rules=["walloon_seat", "audience_kind", "sme_size"],
        form_sections=["challenges", "expert", "attachments"],
    )
    manager = staff(Role.PROGRAMME_MANAGER, "START")
    for kind, title in (("regulations", "Règlement"), ("template", "Modèle de plan d'action")):
        programme_services.call_document_add(
            call=call, upload=pdf(f"{kind}.pdf"), kind=kind, title_fr=title, by=manager
        )
    programme_services.call_questions_save(
        call=call,
        entries=[
            {"position": 1, "question_fr": "Qui choisit l'expert ?", "answer_fr": "Vous."},
            {"position": 2, "question_fr": "Combien de jours ?", "answer_fr": "Cinq."},
        ],
        by=manager,
    )
    return call


def test_the_public_pages_of_the_applicants_path_have_no_serious_violation(browser, live_server):
    call = call_with_its_page()
    expert = ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START"])
    finder = reverse("applications:programme_finder")
    answers = {
        "kind": "sme",
        "postcode": "5000",
        "headcount": "12",
        "turnover": "1 500 000",
        "public_control": "no",
        "stage": "exploring",
    }
    urls = [
        reverse("legal_notice"),
        reverse("privacy_notice"),
        reverse("accessibility"),
        reverse("contact"),
        finder,
        f"{finder}?{urlencode(answers)}",
        f"{finder}?{urlencode({**answers, 'postcode': '1000', 'headcount': 'douze'})}",
        call.get_absolute_url(),
        expert.get_absolute_url(),
    ]
    found = audit_pages(browser, live_server, None, urls)

    # A form sent from an out-of-date page: the portal's page saying so.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto(reverse("account_signup"))
    context.clear_cookies(name="csrftoken")
    with page.expect_navigation() as sent:
        page.locator("main form[method=post]").first.evaluate("form => form.submit()")
    assert sent.value.status == 403
    found += audit_here(page, "out-of-date page (403)")
    context.close()
    report(found, "applicant-path-public")


def test_the_applicants_pages_of_the_path_have_no_serious_violation(browser, live_server):
    call = call_with_its_page()
    expert = ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START"])
    organisation = OrganisationFactory(name="Menuiserie Dupont SRL", postcode="4000")
    applicant = make_member(organisation)
    make_member(OrganisationFactory(name="Atelier Namur SRL", postcode="5000"), applicant)
    draft = application_start(call=call, organisation=organisation, by=applicant)
    urls = [
        expert.get_absolute_url(),  # signed in: "Choose this expert" leads on
        reverse("applications:choose_expert", args=[expert.slug]),  # which organisation
        reverse("applications:review", args=[draft.pk]),
    ]
    found = audit_pages(browser, live_server, applicant, urls)

    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.add_cookies(
        [{"name": "sessionid", "value": session_for(applicant), "url": live_server.url}]
    )
    page = context.new_page()
    needs = reverse("applications:step", args=[draft.pk, "needs"])
    elsewhere = context.new_page()

    def saved_elsewhere(text: str) -> None:
        """Another tab of hers saves the step (by itself, as she types there)."""
        elsewhere.goto(needs)
        with elsewhere.expect_response(lambda r: r.url.endswith("/brouillon/")) as saving:
            elsewhere.fill("textarea[name=activity]", text)
        assert saving.value.status == 200

    # A conflict met while typing: the saved text beside hers, in the page.
    page.goto(needs)
    saved_elsewhere("Texte d'un collègue.")
    with page.expect_response(lambda r: r.url.endswith("/brouillon/")) as saving:
        page.fill("textarea[name=activity]", "Mon texte.")
    assert saving.value.status == 409
    expect(page.locator("[data-conflict]")).to_be_visible()
    found += audit_here(page, "step (conflict while typing)")

    # The same conflict without the script's help: the step page again (409), both texts.
    page.evaluate("() => localStorage.clear()")  # the conflict's text, kept: not put back
    page.goto(needs)
    saved_elsewhere("Texte d'un collègue, encore.")
    page.fill("textarea[name=activity]", "Mon texte, encore.")
    with page.expect_navigation() as arrived:
        page.click("button[name=save_draft]")
    assert arrived.value.status == 409
    found += audit_here(page, "step (conflict page)")

    # The session ended while she typed: the notice with the way to log in again, and after
    # logging in, her text put back with the way back to the saved one.
    page.evaluate("() => localStorage.clear()")
    page.goto(needs)
    context.clear_cookies(name="sessionid")
    page.fill("textarea[name=activity]", "Texte tapé hors session.")
    expect(page.locator("[data-draft-notices] .alert-warning")).to_be_visible()
    found += audit_here(page, "step (session ended)")
    context.add_cookies(
        [{"name": "sessionid", "value": session_for(applicant), "url": live_server.url}]
    )
    page.goto(needs)
    expect(page.locator("[data-draft-notices] .alert-info")).to_be_visible()
    found += audit_here(page, "step (text put back)")
    context.close()
    report(found, "applicant-path")


def test_the_staff_pages_keeping_a_calls_page_have_no_serious_violation(browser, live_server):
    call = call_with_its_page()
    manager = staff(Role.PROGRAMME_MANAGER, "START")
    urls = [
        reverse("programs:staff_calls"),
        reverse("programs:staff_call_content", args=[call.slug]),
    ]
    report(audit_pages(browser, live_server, manager, urls), "applicant-path-staff")
