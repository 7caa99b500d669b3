"""Keyboard only: the application form and the staff queue, with Tab, typing, Space and Enter.

Every element the focus passes through must show where it is (an outline or a focus shadow);
a step sent with mistakes announces them (the error summary takes the focus) and each error
leads to its field."""

import json
import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from applications.workflow import Status
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.fixtures.staff import staff, submitted_file

from .browser import log_in, shot
from .test_applicant_journeys import start_ia_call

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUS_SHOWN = """e => {
  const style = getComputedStyle(e);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
}"""


def tab_to(page, selector: str, *, limit: int = 80):
    """Press Tab until `selector` has the focus, checking that each element reached shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        assert focused.evaluate(FOCUS_SHOWN), "no visible focus on " + focused.evaluate(
            "e => e.outerHTML.slice(0, 160)"
        )
        if focused.evaluate(f"e => e.matches({json.dumps(selector)})"):
            return focused
    raise AssertionError(f"{selector} never took the focus after {limit} presses of Tab")


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_an_applicant_fills_steps_and_corrects_errors_with_the_keyboard_alone(page, live_server):
    organisation = OrganisationFactory(name="Menuiserie Dupont SRL", postcode="4000")
    applicant = make_member(organisation, UserFactory(email="julie@menuiserie-dupont.be"))
    call = start_ia_call()
    log_in(page, live_server, applicant)

    page.goto(call.get_absolute_url())
    tab_to(page, f"form[action='/appels/{call.slug}/demande/'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/etapes/organisation/$"))

    tab_to(page, "input[name=confirmed]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=confirmed]")).to_be_checked()
    tab_to(page, "button[name=save_continue]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/etapes/contact/$"))

    # Two fields typed (one of them wrong), two left empty, and sent.
    tab_to(page, "input[name=contact_name]")
    page.keyboard.type("Julie Dupont")
    tab_to(page, "input[name=contact_email]")
    page.keyboard.type("pas-un-email")
    tab_to(page, "button[name=save_continue]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The errors are announced: the summary has the focus, the title says so.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    assert page.title().startswith("Erreur")
    expect(summary.locator("a")).to_have_count(3)
    shot(page, "70-step-errors-keyboard")

    # Its first link leads into the field, whose description is its error.
    page.keyboard.press("Tab")
    expect(summary.locator("a").first).to_be_focused()
    page.keyboard.press("Enter")
    assert focused_id(page) == "id_contact_function"
    described = page.locator("#id_contact_function").get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_contain_text("Ce champ est obligatoire.")
    expect(page.locator("#id_contact_function")).to_have_attribute("aria-invalid", "true")
    page.keyboard.type("Gérante")

    page.keyboard.press("Tab")
    assert focused_id(page) == "id_contact_email"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("julie@menuiserie-dupont.be")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_contact_phone"
    page.keyboard.type("+32 4 123 45 67")
    tab_to(page, "button[name=save_continue]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/etapes/needs/$"))

    assert Application.objects.get().data["contact"] == {
        "contact_name": "Julie Dupont",
        "contact_function": "Gérante",
        "contact_email": "julie@menuiserie-dupont.be",
        "contact_phone": "+32 4 123 45 67",
    }


def test_a_manager_searches_the_queue_ticks_a_file_and_opens_it_with_the_keyboard_alone(
    page, live_server
):
    manager = staff("programme manager", "START")
    wanted = submitted_file(organisation=OrganisationFactory(name="Boulangerie Liégeoise"))
    submitted_file(status=Status.UNDER_REVIEW)
    log_in(page, live_server, manager)

    page.goto("/espace-adn/dossiers/")
    expect(page.locator("main tbody tr")).to_have_count(2)
    tab_to(page, "input[name=q]")
    page.keyboard.type("boulangerie")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the filters form is sent from its search field
    expect(page.locator("main tbody tr")).to_have_count(1)

    tab_to(page, f"input[name=files][value='{wanted.pk}']")
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=files][value='{wanted.pk}']")).to_be_checked()
    shot(page, "71-staff-queue-keyboard")

    tab_to(page, f"a[href='/espace-adn/dossiers/{wanted.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"/espace-adn/dossiers/{wanted.pk}/")
    expect(page.locator("main h1")).to_contain_text(wanted.reference)
