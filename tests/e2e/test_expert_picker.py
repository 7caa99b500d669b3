"""The expert picker once experts are many, in a real browser (applications/forms/fields.py
Picker, static/js/application-form.js): a page of twenty, the search and the other pages asked
of the server and put in place by the keyboard, without leaving the step (what was typed stays),
the expert chosen kept across searches and pages, and saved."""

import re

import pytest
from playwright.sync_api import expect

from applications.services import application_start
from tests.factories import ExpertFactory, OrganisationFactory, UserFactory, make_member

from .browser import shot
from .test_accessibility import report, session_for
from .test_accessibility_applicant_path import audit_here
from .test_applicant_journeys import start_ia_call
from .test_drafts_never_lost import log_in_through_the_form
from .test_keyboard import tab_to

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def draft():
    organisation = OrganisationFactory(name="Menuiserie Dupont SRL", postcode="4000")
    applicant = make_member(organisation, UserFactory(email="julie@menuiserie-dupont.be"))
    for n in range(44):
        ExpertFactory(organisation__name=f"Conseil {n:02d} SRL", programmes=["START"])
    ExpertFactory(organisation__name="Vision Meuse SRL", programmes=["START"])
    return application_start(call=start_ia_call(), organisation=organisation, by=applicant)


def test_many_experts_are_searched_and_paged_in_place_with_the_keyboard(page, draft):
    log_in_through_the_form(page, "julie@menuiserie-dupont.be")
    url = f"/dossiers/{draft.pk}/etapes/expert/"
    page.goto(url)
    options = page.locator(".picker-option")
    expect(options).to_have_count(20)  # a page of the 45, by name
    expect(options.first).to_contain_text("Conseil 00 SRL")
    page.fill("textarea[name=availability]", "Les mardis.")

    # She types a word: the server's answer replaces the list, the step stays.
    search = page.locator("input[name=expert_q]")
    search.focus()
    page.keyboard.type("meuse")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Vision Meuse SRL")
    tab_to(page, ".picker-option input[name=expert]", limit=5)  # the only expert listed
    page.keyboard.press("Space")
    expect(options.first.locator("input[name=expert]")).to_be_checked()
    assert page.url.endswith(url)
    expect(page.locator("textarea[name=availability]")).to_have_value("Les mardis.")

    # The search emptied: the first page again, her choice kept at its top.
    search.fill("")
    expect(options).to_have_count(21)
    expect(options.first).to_contain_text("Vision Meuse SRL")
    expect(options.first.locator("input")).to_be_checked()

    # The next page, with the keyboard: in place, the focus on its first expert.
    following = page.locator("[data-picker-page][value='2']")
    following.focus()
    page.keyboard.press("Enter")
    expect(options.nth(1)).to_contain_text("Conseil 20 SRL")
    expect(options.first.locator("input")).to_be_focused()
    expect(options.first.locator("input")).to_be_checked()
    shot(page, "expert-picker-second-page")

    page.locator("button[name=save_continue]").click()
    page.wait_for_url(re.compile(r"/etapes/documents/$"))
    draft.refresh_from_db()
    assert draft.expert.organisation.name == "Vision Meuse SRL"
    assert draft.data["expert"]["availability"] == "Les mardis."


def test_the_paged_picker_has_no_serious_accessibility_violation(browser, live_server, draft):
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    applicant = draft.created_by
    context.add_cookies(
        [{"name": "sessionid", "value": session_for(applicant), "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"/dossiers/{draft.pk}/etapes/expert/")
    found = audit_here(page, "expert step, a page of 20")
    page.locator("input[name=expert_q]").fill("conseil")
    expect(page.locator("[data-picker-count]")).to_contain_text("44")
    page.locator("[data-picker-page][value='2']").click()
    expect(page.locator(".picker-option").first).to_contain_text("Conseil 20 SRL")
    page.mouse.move(0, 0)  # not hovering the button now under it
    page.wait_for_timeout(300)  # past Bootstrap's colour transition
    found += audit_here(page, "expert step, a searched second page put in place")
    context.close()
    report(found, "expert-picker")
