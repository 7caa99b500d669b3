"""Choosing an expert from the directory: an expert's page offers "Choose this expert for a
Start IA application", which fills the expert step of the organisation's draft or starts one;
in the form, the expert step is a searchable list showing each expert's specialities, province
and languages (filtered by the server without JavaScript)."""

import html

import pytest
from django.urls import reverse

from applications.models import Application
from applications.services import application_start
from applications.workflow import Status
from tests.auth import login
from tests.factories import ExpertFactory, OrganisationFactory, make_member

pytestmark = pytest.mark.django_db


def choose(client, expert, data=None):
    return client.post(reverse("applications:choose_expert", args=[expert.slug]), data or {})


def test_an_experts_page_offers_to_choose_them_for_start_ia(client, expert):
    page = client.get(expert.get_absolute_url()).content.decode()
    assert f'action="{reverse("applications:choose_expert", args=[expert.slug])}"' in page


def test_an_expert_outside_start_ia_is_not_offered(client):
    tremplin_only = ExpertFactory(programmes=["TREMPLIN"])
    page = client.get(tremplin_only.get_absolute_url()).content.decode()
    assert reverse("applications:choose_expert", args=[tremplin_only.slug]) not in page


def test_choosing_an_expert_starts_a_draft_with_them(client, applicant, start_call, expert):
    login(client, applicant)

    response = choose(client, expert)

    application = Application.objects.get()
    assert application.call == start_call and application.is_draft
    assert application.data["expert"]["expert"] == str(expert.pk)
    assert "expert" not in application.completed_steps  # the availability is still to give
    assert response.url == reverse("applications:step", args=[application.pk, "organisation"])


def test_choosing_an_expert_fills_the_open_drafts_expert_step(
    client, applicant, start_call, expert
):
    other = ExpertFactory(organisation__name="Autre Expert SRL", programmes=["START"])
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    login(client, applicant)
    client.post(
        reverse("applications:step", args=[draft.pk, "expert"]),
        {"expert": str(other.pk), "availability": "Les mardis.", "version": "1", "save_draft": "1"},
    )

    choose(client, expert)

    draft.refresh_from_db()
    assert Application.objects.count() == 1
    assert draft.expert == expert and draft.data["expert"]["availability"] == "Les mardis."
    assert "expert" in draft.completed_steps


def test_a_person_acting_for_several_organisations_says_which(
    client, applicant, start_call, expert
):
    second = OrganisationFactory(name="Boulangerie Dupont SRL")
    make_member(second, applicant)
    login(client, applicant)

    asked = choose(client, expert)  # the expert page's button
    assert asked.status_code == 200
    assert not asked.context["form"].errors
    assert "Boulangerie Dupont SRL" in html.unescape(asked.content.decode())
    assert not Application.objects.exists()

    choose(client, expert, {"organisation": str(second.pk)})

    application = Application.objects.get()
    assert application.organisation == second


def test_an_organisation_the_person_does_not_act_for_is_refused(client, applicant, expert):
    stranger = OrganisationFactory(name="Étrangère SRL")
    make_member(OrganisationFactory(), applicant)  # two organisations: the choice is asked
    login(client, applicant)

    response = choose(client, expert, {"organisation": str(stranger.pk)})

    assert response.status_code == 400
    assert not Application.objects.exists()


def test_choosing_an_expert_for_a_submitted_file_is_refused(client, applicant, start_call, expert):
    Application.objects.create(
        call=start_call,
        programme=start_call.programme,
        organisation=applicant.organisation,
        created_by=applicant,
        status=Status.SUBMITTED,
        reference="START-2026-0001",
    )
    login(client, applicant)

    response = choose(client, expert, {})

    assert response.url == expert.get_absolute_url()
    assert Application.objects.get().expert is None


def test_without_an_open_start_ia_call_nothing_starts(client, applicant, expert):
    login(client, applicant)
    response = choose(client, expert)
    assert response.url == expert.get_absolute_url()
    assert not Application.objects.exists()


def test_a_visitor_is_asked_to_log_in_and_comes_back(client, expert):
    response = choose(client, expert)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "choisir" in response.url


# --- the picker in the form -------------------------------------------------------------------


@pytest.fixture
def picker_experts(db):
    return [
        ExpertFactory(
            organisation__name="Vision Eupen SRL",
            organisation__postcode="4700",
            specialities=["computer_vision"],
            languages=["de", "fr"],
        ),
        ExpertFactory(
            organisation__name="Prévisions Namur SA",
            organisation__postcode="5000",
            specialities=["forecasting"],
            languages=["fr"],
        ),
    ]


def test_the_expert_step_lists_each_experts_specialities_province_and_languages(
    client, applicant, start_call, picker_experts
):
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    login(client, applicant)

    page = html.unescape(
        client.get(reverse("applications:step", args=[draft.pk, "expert"])).content.decode()
    )

    assert "Vision Eupen SRL" in page and "Prévisions Namur SA" in page
    assert "Vision par ordinateur" in page and "Liège" in page and "Allemand" in page
    assert 'type="radio" name="expert"' in page
    assert 'form="expert-search"' in page and 'id="expert-search"' in page  # without JS


def test_the_expert_search_works_without_javascript_and_keeps_the_chosen_one(
    client, applicant, start_call, picker_experts
):
    _vision, forecasts = picker_experts
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    login(client, applicant)
    url = reverse("applications:step", args=[draft.pk, "expert"])
    client.post(url, {"expert": str(forecasts.pk), "version": "1", "save_draft": "1"})

    listed = picker_list(client.get(f"{url}?expert_q=allemand liege"))

    assert "Vision Eupen SRL" in listed  # matches every word, accents aside
    assert "Prévisions Namur SA" in listed  # the chosen one stays listed
    assert "Vision Eupen SRL" not in picker_list(client.get(f"{url}?expert_q=robotique"))


def picker_list(response) -> str:
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return page[page.index('class="picker-options"') :]
