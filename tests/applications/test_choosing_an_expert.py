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


# --- many experts: a page of the search's results ----------------------------------------------


def bulk_experts(count: int, start: int = 0) -> list:
    """Listed Start IA experts, "Bulk 0000"…, without the factories' queries per expert."""
    from companies.models import Expert, ExpertFacet, Organisation

    organisations = Organisation.objects.bulk_create(
        OrganisationFactory.build(
            name=f"Bulk {n:04d}", postcode="5000", municipality="Namur", province="namur"
        )
        for n in range(start, start + count)
    )
    experts = Expert.objects.bulk_create(
        ExpertFactory.build(
            organisation=organisation, slug=f"bulk-{n}", search_text=f"bulk {n:04d}"
        )
        for n, organisation in zip(range(start, start + count), organisations, strict=True)
    )
    ExpertFacet.objects.bulk_create(
        ExpertFacet(expert=expert, kind=kind, value=value)
        for expert in experts
        for kind, value in (("speciality", "nlp_genai"), ("language", "fr"), ("programme", "START"))
    )
    from companies.services import directory_changed

    directory_changed()  # as the services do
    return experts


def step_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the directory's index of this version, built once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_expert_step_costs_the_same_queries_with_5_and_200_experts(
    client, applicant, start_call
):
    bulk_experts(5)
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    login(client, applicant)
    url = reverse("applications:step", args=[draft.pk, "expert"])
    client.post(url, {"expert": str(bulk_first()), "version": "1", "save_draft": "1"})
    few = step_queries(client, url), step_queries(client, f"{url}?expert_q=bulk&expert_page=2")

    bulk_experts(195, start=5)

    many = step_queries(client, url), step_queries(client, f"{url}?expert_q=bulk&expert_page=2")
    assert many == few
    assert picker_list(client.get(url)).count('type="radio" name="expert"') == 20  # a page


def bulk_first():
    from companies.models import Expert

    return Expert.objects.get(slug="bulk-0").pk


def test_a_long_list_is_paged_and_searched_by_the_server_keeping_the_chosen_expert(
    client, applicant, start_call
):
    experts = bulk_experts(45)
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    login(client, applicant)
    url = reverse("applications:step", args=[draft.pk, "expert"])
    chosen = experts[30]  # on the second page
    client.post(url, {"expert": str(chosen.pk), "version": "1", "save_draft": "1"})

    first = client.get(url)
    listed = picker_list(first)
    assert listed.index("Bulk 0030") < listed.index("Bulk 0000")  # the chosen one first
    assert listed.count('type="radio" name="expert"') == 21  # a page of 20, and the chosen one
    assert "Bulk 0020" not in listed
    assert 'name="expert_page" value="2"' in listed  # the next page: a button of the search form
    assert 'form="expert-search"' in listed
    assert "data-picker-complete" not in first.content.decode()  # the script asks the server

    third = picker_list(client.get(url, {"expert_page": "3"}))
    assert [f"Bulk {n:04d}" in third for n in (40, 44, 39)] == [True, True, False]
    assert third.count("Bulk 0030") == 1  # on its page once, checked
    assert 'value="2"' in third and 'value="4"' not in third

    searched = picker_list(client.get(url, {"expert_q": "bulk 0042"}))
    assert "Bulk 0042" in searched and "Bulk 0030" in searched and "Bulk 0041" not in searched
    for odd in ("999999", "x", "-1", "\u0661", "9" * 5000):  # any page: the last, or the first
        assert client.get(url, {"expert_page": odd}).status_code == 200
    for odd in ("x" * 5000, "'); DROP TABLE x; --", "_", "٣ ²"):  # a search: cut, harmless
        assert client.get(url, {"expert_q": odd}).status_code == 200


def test_an_expert_from_any_page_is_accepted_and_one_of_another_programme_refused(
    client, applicant, start_call
):
    experts = bulk_experts(45)
    other = ExpertFactory(organisation__name="Tremplin Seul SRL", programmes=["TREMPLIN"])
    draft = application_start(call=start_call, organisation=applicant.organisation, by=applicant)
    login(client, applicant)
    url = reverse("applications:step", args=[draft.pk, "expert"])

    refused = client.post(url, {"expert": str(other.pk), "availability": "Lundi.", "version": "1"})
    assert refused.status_code == 200 and refused.context["form"].errors["expert"]

    client.post(url, {"expert": str(experts[44].pk), "availability": "Lundi.", "version": "1"})
    draft.refresh_from_db()
    assert draft.expert == experts[44]
