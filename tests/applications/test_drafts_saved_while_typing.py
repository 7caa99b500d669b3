"""Nothing typed is lost: a draft step saves itself while the applicant types (the endpoint the
page's script posts to), with the version check of the "Save the draft" button; a session that
ended or a stale page is told in JSON; a save made elsewhere meanwhile (a colleague, or the same
person in another tab) shows the person's own text beside the saved one, and they choose."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from applications.services import application_start
from tests.auth import login
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(applicant, start_call):
    return application_start(call=start_call, organisation=applicant.organisation, by=applicant)


def autosave_url(application, step="needs"):
    return reverse("applications:step_autosave", args=[application.pk, step])


def test_a_step_saves_itself_and_answers_the_new_version(client, applicant, draft):
    login(client, applicant)

    response = client.post(autosave_url(draft), {"activity": "Menuiserie.", "version": "1"})

    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["complete"] is False
    assert response["Cache-Control"] == "private, no-store"
    draft.refresh_from_db()
    assert draft.data["needs"]["activity"] == "Menuiserie." and "needs" not in draft.completed_steps


def test_a_step_saved_while_typing_is_complete_once_every_answer_is_valid(client, applicant, draft):
    login(client, applicant)
    answers = {
        "activity": "Menuiserie.",
        "challenges": "Planifier.",
        "available_data": "Commandes.",
        "maturity": "exploring",
        "expected_benefits": "Moins de retards.",
    }

    response = client.post(autosave_url(draft), {**answers, "version": "1"})

    assert response.status_code == 200 and response.json()["complete"] is True
    draft.refresh_from_db()
    assert "needs" in draft.completed_steps


def test_a_save_after_the_session_ended_answers_401_in_json_with_the_way_back(draft):
    anonymous = Client()

    response = anonymous.post(autosave_url(draft), {"activity": "Texte.", "version": "1"})

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "session_expired"
    step = reverse("applications:step", args=[draft.pk, "needs"])
    assert body["login_url"] == f"{reverse('account_login')}?next={step.replace('/', '%2F')}"
    draft.refresh_from_db()
    assert draft.data == {}


def test_a_save_from_a_stale_page_answers_403_in_json(applicant, draft):
    browser = Client(enforce_csrf_checks=True)
    login(browser, applicant)
    browser.get(reverse("applications:step", args=[draft.pk, "needs"]))  # the CSRF cookie

    response = browser.post(
        autosave_url(draft),
        {"activity": "Texte.", "version": "1", "csrfmiddlewaretoken": "x" * 64},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "stale_page"
    draft.refresh_from_db()
    assert draft.data == {}


def test_a_save_from_the_page_with_its_token_is_accepted(applicant, draft):
    browser = Client(enforce_csrf_checks=True)
    login(browser, applicant)
    page = browser.get(reverse("applications:step", args=[draft.pk, "needs"]))
    token = page.context["csrf_token"]

    response = browser.post(
        autosave_url(draft), {"activity": "Texte.", "version": "1", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 200


def test_a_save_over_another_save_shows_both_texts_even_for_the_same_person(
    client, applicant, draft
):
    login(client, applicant)
    other_tab = Client()
    login(other_tab, applicant)
    other_tab.post(autosave_url(draft), {"activity": "Texte de l'autre onglet.", "version": "1"})

    response = client.post(autosave_url(draft), {"activity": "Mon texte.", "version": "1"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and body["version"] == 2
    assert body["saved"]["activity"] == "Texte de l'autre onglet."
    panel = html.unescape(body["panel"])
    assert "Mon texte." in panel and "Texte de l'autre onglet." in panel
    draft.refresh_from_db()
    assert draft.data["needs"]["activity"] == "Texte de l'autre onglet."  # nothing overwritten


def test_keeping_ones_own_text_after_a_conflict_saves_it(client, applicant, draft):
    login(client, applicant)
    colleague = make_member(applicant.organisation, role="member")
    other = Client()
    login(other, colleague)
    url = reverse("applications:step", args=[draft.pk, "needs"])
    other.post(url, {"activity": "Version de la collègue.", "version": "1", "save_draft": "1"})

    page = client.post(url, {"activity": "Ma version.", "version": "1", "save_draft": "1"})
    assert page.status_code == 409
    assert page.context["form"]["activity"].value() == "Ma version."  # still in the form
    version = page.context["conflict"]["version"]
    assert f'name="version" value="{version}"' in page.content.decode()

    kept = client.post(url, {"activity": "Ma version.", "version": version, "save_draft": "1"})

    assert kept.status_code == 302
    draft.refresh_from_db()
    assert draft.data["needs"]["activity"] == "Ma version."


def test_a_step_page_carries_what_its_script_needs(client, applicant, draft):
    login(client, applicant)

    page = client.get(reverse("applications:step", args=[draft.pk, "needs"])).content.decode()

    assert f'data-autosave-url="{autosave_url(draft)}"' in page
    assert f'data-draft-key="adn-draft:{applicant.pk}:{draft.pk}:needs"' in page
    assert "js/application-form.js" in page


def test_another_organisations_draft_is_not_saved_and_is_a_404(client, draft):
    stranger = make_member(OrganisationFactory())
    login(client, stranger)

    response = client.post(autosave_url(draft), {"activity": "Intrus.", "version": "1"})

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.data == {}


def test_a_submitted_file_is_not_saved_while_typing(client, applicant, draft):
    from applications.models import Application

    Application.objects.filter(pk=draft.pk).update(status="submitted", reference="START-X-1")
    login(client, applicant)

    response = client.post(autosave_url(draft), {"activity": "Changé.", "version": "1"})

    assert response.status_code == 409 and response.json()["code"] == "not_a_draft"
    draft.refresh_from_db()
    assert draft.data == {}


def test_the_documents_step_has_nothing_to_save_while_typing(client, applicant, draft):
    login(client, applicant)
    response = client.post(autosave_url(draft, "documents"), {"version": "1"})
    assert response.status_code == 409
