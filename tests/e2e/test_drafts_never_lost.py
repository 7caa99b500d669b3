"""Nothing typed is lost (issue 18), in a real browser: a step saves itself while the applicant
types; a session that ends while they type does not lose their text (it is put back in the step
after they log in again through the log-in form); two tabs on one step show the second one its
own text beside the saved one, and offer it back.

The page's own script is exercised (static/js/application-form.js): saves are recognised by the
request to the step's `…/brouillon/` address, never by a translated message."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from applications.models import Application
from applications.services import application_start
from tests.factories import DEFAULT_PASSWORD, OrganisationFactory, UserFactory, make_member

from .browser import shot
from .test_applicant_journeys import start_ia_call, submit_form

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def is_autosave(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/etapes/needs/brouillon/")


@pytest.fixture
def draft():
    organisation = OrganisationFactory(name="Menuiserie Dupont SRL", postcode="4000")
    applicant = make_member(organisation, UserFactory(email="julie@menuiserie-dupont.be"))
    return application_start(call=start_ia_call(), organisation=organisation, by=applicant)


def log_in_through_the_form(page, email: str, then: str | None = None) -> None:
    """The real log-in form (from the page the portal sent the person to, when it did)."""
    if then is None:
        page.goto("/compte/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    with page.expect_navigation():
        submit_form(page)


def needs_url(application: Application) -> str:
    return f"/dossiers/{application.pk}/etapes/needs/"


def saved_needs(application: Application) -> dict:
    application.refresh_from_db()
    return application.data.get("needs", {})


def test_a_draft_saves_itself_while_the_applicant_types(page, draft):
    log_in_through_the_form(page, "julie@menuiserie-dupont.be")
    page.goto(needs_url(draft))

    # She types and clicks nothing: the step is saved a moment later, with the version check.
    with page.expect_response(is_autosave) as saving:
        page.locator("textarea[name=activity]").press_sequentially("Menuiserie industrielle.")
    assert saving.value.status == 200
    assert saving.value.json()["version"] == draft.version + 1
    assert saved_needs(draft)["activity"] == "Menuiserie industrielle."
    expect(page.locator("[data-draft-status]")).not_to_be_empty()
    # The page's form now carries the new version: a second save is not a conflict.
    expect(page.locator("#step-form input[name=version]")).to_have_value(str(draft.version))
    with page.expect_response(is_autosave) as saving:
        page.fill("textarea[name=challenges]", "Planifier la production.")
    assert saving.value.status == 200
    assert saved_needs(draft)["challenges"] == "Planifier la production."
    shot(page, "drafts-saved-while-typing")

    # Nothing was kept in the browser once the portal had it; a reload shows the saved text
    # and no "we put back your text" notice.
    assert page.evaluate("Object.keys(localStorage).length") == 0
    page.reload()
    expect(page.locator("textarea[name=activity]")).to_have_value("Menuiserie industrielle.")
    expect(page.locator("textarea[name=challenges]")).to_have_value("Planifier la production.")
    expect(page.locator("[data-draft-notices] .alert")).to_have_count(0)


def test_text_typed_when_the_session_ended_is_back_in_the_step_after_logging_in(page, draft):
    log_in_through_the_form(page, "julie@menuiserie-dupont.be")
    page.goto(needs_url(draft))
    with page.expect_response(is_autosave):
        page.fill("textarea[name=activity]", "Menuiserie industrielle.")

    # The session ends on the server (expired, or ended elsewhere) while she writes on; she
    # clicks "Save and continue" before the page saves by itself.
    Session.objects.all().delete()
    page.fill("textarea[name=challenges]", "Planifier la production sans retard.")
    page.check("input[name=maturity][value=exploring]")
    page.click("button[name=save_continue]")

    # The log-in page, which leads back to the step.
    page.wait_for_url(f"/compte/login/?next={needs_url(draft)}")
    shot(page, "drafts-session-ended-login")
    assert saved_needs(draft).get("challenges", "") == ""

    # What she typed is back in the form, said so (with a way back to the saved text), and
    # saved by itself.
    with page.expect_response(is_autosave) as saving:
        log_in_through_the_form(page, "julie@menuiserie-dupont.be", then=needs_url(draft))
    page.wait_for_url(needs_url(draft))
    expect(page.locator("textarea[name=challenges]")).to_have_value(
        "Planifier la production sans retard."
    )
    expect(page.locator("textarea[name=activity]")).to_have_value("Menuiserie industrielle.")
    expect(page.locator("input[name=maturity][value=exploring]")).to_be_checked()
    expect(page.locator("[data-draft-notices] .alert-info")).to_be_visible()
    shot(page, "drafts-session-ended-text-restored")
    assert saving.value.status == 200
    needs = saved_needs(draft)
    assert needs["challenges"] == "Planifier la production sans retard."
    assert needs["maturity"] == "exploring"

    # She completes the step and continues: the step is saved complete.
    page.fill("textarea[name=available_data]", "Historique des commandes.")
    page.fill("textarea[name=expected_benefits]", "Moins de retards.")
    page.click("button[name=save_continue]")
    page.wait_for_url(re.compile(r"/etapes/expert/$"))
    draft.refresh_from_db()
    assert "needs" in draft.completed_steps
    assert draft.data["needs"]["challenges"] == "Planifier la production sans retard."

    # Back on the step: the saved text, no "we put back your text", nothing left in the browser.
    page.goto(needs_url(draft))
    expect(page.locator("textarea[name=challenges]")).to_have_value(
        "Planifier la production sans retard."
    )
    expect(page.locator("[data-draft-notices] .alert")).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_two_tabs_on_one_step_show_the_second_its_own_text_beside_the_saved_one(page, draft):
    log_in_through_the_form(page, "julie@menuiserie-dupont.be")
    first = page
    first.goto(needs_url(draft))
    second = page.context.new_page()
    second.goto(needs_url(draft))

    # The first tab saves while she types there.
    with first.expect_response(is_autosave) as saving:
        first.fill("textarea[name=activity]", "Texte du premier onglet.")
    assert saving.value.status == 200

    # The second tab was opened before: its save meets the version check.
    with second.expect_response(is_autosave) as saving:
        second.fill("textarea[name=activity]", "Texte du second onglet, plus complet.")
    assert saving.value.status == 409
    assert saving.value.json()["code"] == "conflict"
    assert saved_needs(draft)["activity"] == "Texte du premier onglet."

    # Her own text, beside the saved one, still in the form; nothing is saved by itself now.
    conflict = second.locator("[data-draft-notices] [data-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict.locator("[data-conflict-mine=activity]")).to_have_text(
        "Texte du second onglet, plus complet."
    )
    expect(conflict).to_contain_text("Texte du premier onglet.")
    expect(second.locator("textarea[name=activity]")).to_have_value(
        "Texte du second onglet, plus complet."
    )
    expect(conflict).to_be_focused()
    shot(second, "drafts-two-tabs-conflict")

    # The first tab saving again does not drop the second tab's text kept in the browser.
    with first.expect_response(is_autosave) as saving:
        first.fill("textarea[name=challenges]", "Planifier.")
    assert saving.value.status == 200
    kept = second.evaluate("Object.values(localStorage).map(v => JSON.parse(v).fields.activity)")
    assert kept == ["Texte du second onglet, plus complet."]

    # "Keep my text" meets the first tab's newer save: the choice is shown again, with that
    # save beside her text (never overwritten unseen).
    with second.expect_response(is_autosave) as saving:
        conflict.locator("[data-conflict-keep]").click()
    assert saving.value.status == 409
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("Planifier.")

    # She copies that line into her text and keeps it: saved, the choice gone, nothing kept.
    second.fill("textarea[name=challenges]", "Planifier.")
    with second.expect_response(is_autosave) as saving:
        conflict.locator("[data-conflict-keep]").click()
    assert saving.value.status == 200
    expect(conflict).to_have_count(0)
    assert saved_needs(draft)["activity"] == "Texte du second onglet, plus complet."
    assert saved_needs(draft)["challenges"] == "Planifier."
    assert second.evaluate("Object.keys(localStorage).length") == 0


def test_two_tabs_without_the_script_saving_first_show_the_conflict_page(page, draft):
    """The second tab's "Save the draft" button, clicked before it saved by itself: the step
    page again (409) with her text in the form and the saved one beside it."""
    log_in_through_the_form(page, "julie@menuiserie-dupont.be")
    first = page
    first.goto(needs_url(draft))
    second = page.context.new_page()
    second.goto(needs_url(draft))
    with first.expect_response(is_autosave):
        first.fill("textarea[name=activity]", "Texte du premier onglet.")

    second.fill("textarea[name=activity]", "Texte du second onglet.")
    with second.expect_navigation() as arrived:
        second.click("button[name=save_draft]")
    assert arrived.value.status == 409
    conflict = second.locator("[data-conflict]")
    expect(conflict.locator("[data-conflict-mine=activity]")).to_have_text(
        "Texte du second onglet."
    )
    expect(conflict).to_contain_text("Texte du premier onglet.")
    expect(second.locator("textarea[name=activity]")).to_have_value("Texte du second onglet.")

    # "Take the saved text" fills the form with it; a save then keeps it.
    conflict.locator("[data-conflict-take]").click()
    expect(second.locator("[data-conflict]")).to_have_count(0)
    expect(second.locator("textarea[name=activity]")).to_have_value("Texte du premier onglet.")
    with second.expect_navigation():
        second.click("button[name=save_draft]")
    assert saved_needs(draft)["activity"] == "Texte du premier onglet."


def test_text_sent_from_a_page_left_behind_by_a_new_log_in_is_not_lost(page, draft):
    """She typed in one tab, logged out and in again in another (her session expired, say);
    back in the first tab she clicks "Save and continue": the page is out of date. The portal
    says so and leads back to the step, where her text is put back and saved."""
    log_in_through_the_form(page, "julie@menuiserie-dupont.be")
    page.goto(needs_url(draft))
    other = page.context.new_page()
    other.goto("/")
    with other.expect_navigation():  # "Log out", in the menu under her name
        other.locator("form[data-forget-drafts]").evaluate("form => form.requestSubmit()")
    log_in_through_the_form(other, "julie@menuiserie-dupont.be")
    other.close()

    page.fill("textarea[name=activity]", "Menuiserie industrielle, 12 personnes.")
    with page.expect_navigation() as sent:
        page.click("button[name=save_continue]")
    assert sent.value.status == 403
    assert saved_needs(draft).get("activity", "") == ""
    shot(page, "drafts-out-of-date-page")

    with page.expect_response(is_autosave) as saving:
        page.locator(f"main a.btn[href='{needs_url(draft)}']").click()
    page.wait_for_url(needs_url(draft))
    expect(page.locator("textarea[name=activity]")).to_have_value(
        "Menuiserie industrielle, 12 personnes."
    )
    assert saving.value.status == 200
    assert saved_needs(draft)["activity"] == "Menuiserie industrielle, 12 personnes."
