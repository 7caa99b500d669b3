"""Where the applicant let the AdN choose, the programme manager chooses the file's expert on its
page with the applicant's own picker: a page of the programme's listed experts, searched and
paged by the server (without JavaScript too), in a number of queries that does not grow with
the number of experts; the choice checked by the form then by the service, a refusal shown
next to the picker."""

import html

import pytest
from django.urls import reverse

from applications.models import Application
from applications.workflow import Status
from tests.applications.test_choosing_an_expert import bulk_experts
from tests.applications.test_choosing_an_expert import step_queries as queries
from tests.auth import login_staff
from tests.factories import ExpertFactory
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return staff("programme manager", "START")


@pytest.fixture
def adn_chooses():
    return submitted_file(status=Status.UNDER_REVIEW, expert_chosen_by_adn=True)


def page_url(application) -> str:
    return reverse("applications:staff_application", args=[application.pk])


def picker_list(response) -> str:
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return page[page.index('class="picker-options"') : page.index('id="expert-search"')]


def test_the_manager_gets_a_page_of_the_experts_searched_and_paged_without_javascript(
    client, manager, adn_chooses
):
    bulk_experts(45)
    login_staff(client, manager)
    url = page_url(adn_chooses)

    first = client.get(url)
    listed = picker_list(first)
    page = first.content.decode()
    assert listed.count('type="radio" name="expert"') == 20  # a page, not every expert
    assert "Bulk 0019" in listed and "Bulk 0020" not in listed
    assert "Namur (Namur)" in listed  # each expert's details, as in the applicant's step
    assert '<select id="expert"' not in page
    assert 'name="expert_page" value="2"' in listed and 'form="expert-search"' in listed
    assert '<form id="expert-search" method="get"' in page  # outside the choice's POST form
    assert "js/application-form.js" in page  # the script asks the server for the pages
    assert first["Cache-Control"] == "private, no-store"

    third = picker_list(client.get(url, {"expert_page": "3"}))
    assert [f"Bulk {n:04d}" in third for n in (40, 44, 39)] == [True, True, False]
    searched = picker_list(client.get(url, {"expert_q": "bulk 0042"}))
    assert "Bulk 0042" in searched and "Bulk 0041" not in searched
    for odd in ("999999", "x", "-1", "\u0661", "9" * 5000):  # any page: the last, or the first
        assert client.get(url, {"expert_page": odd}).status_code == 200
    for odd in ("x" * 5000, "'); DROP TABLE x; --", "_", "٣ ²"):  # a search: cut, harmless
        assert client.get(url, {"expert_q": odd}).status_code == 200


def test_the_file_page_costs_the_same_queries_with_5_and_200_experts(
    client, manager, adn_chooses, monkeypatch
):
    from django.db import connection

    from applications.templatetags import matching

    bulk_experts(5)
    login_staff(client, manager)
    url = page_url(adn_chooses)
    searched = f"{url}?expert_q=bulk&expert_page=2"
    few = queries(client, url), queries(client, searched)

    bulk_experts(195, start=5)

    assert (queries(client, url), queries(client, searched)) == few
    assert picker_list(client.get(url)).count('type="radio" name="expert"') == 20
    # The picker itself reads nothing: the page of a file whose applicant chose its expert
    # (its statements pinned in test_staff_file_page_cost.py), the ranked proposals aside;
    # the picker's page from the directory's index in this process's memory, but for a
    # search's words on SQLite (none on PostgreSQL).
    monkeypatch.setattr(matching.matching, "staff_expert_proposals", lambda **kwargs: [])
    chose = submitted_file(status=Status.UNDER_REVIEW, expert=ExpertFactory(programmes=["START"]))
    pinned = queries(client, page_url(chose))
    words = int(connection.vendor == "sqlite")
    assert (queries(client, url), queries(client, searched)) == (pinned, pinned + words)


def test_an_expert_from_any_page_is_chosen_and_one_of_another_programme_refused_by_the_picker(
    client, manager, adn_chooses
):
    experts = bulk_experts(45)
    other = ExpertFactory(organisation__name="Tremplin Seul SRL", programmes=["TREMPLIN"])
    login_staff(client, manager)
    url = reverse("applications:staff_application_assign_expert", args=[adn_chooses.pk])

    for refused_choice in (str(other.pk), "", "abc", "9" * 30):
        refused = client.post(url, {"expert": refused_choice})
        assert refused.status_code == 400, refused_choice
        assert refused.context["expert_form"].errors["expert"], refused_choice
        assert 'id="error_1_id_expert"' in refused.content.decode()  # next to the picker
        assert 'type="radio" name="expert"' in refused.content.decode()  # offered again
    adn_chooses.refresh_from_db()
    assert adn_chooses.expert is None

    chosen = client.post(url, {"expert": str(experts[44].pk)})  # on the third page
    assert chosen.status_code == 302
    adn_chooses.refresh_from_db()
    assert adn_chooses.expert == experts[44]
    assert 'name="expert"' not in client.get(page_url(adn_chooses)).content.decode()


def test_the_services_refusal_is_shown_next_to_the_picker(
    client, manager, adn_chooses, monkeypatch
):
    from applications import services

    (expert,) = bulk_experts(1)

    def refuse(**kwargs):
        raise services.ApplicationError("This expert is not recognised at the moment.")

    monkeypatch.setattr(services, "application_assign_expert", refuse)
    login_staff(client, manager)

    response = client.post(
        reverse("applications:staff_application_assign_expert", args=[adn_chooses.pk]),
        {"expert": str(expert.pk)},
    )

    assert response.status_code == 400
    assert response.context["expert_form"].errors["expert"] == [
        "This expert is not recognised at the moment."
    ]
    assert Application.objects.get(pk=adn_chooses.pk).expert is None


def test_a_reviewer_gets_no_picker_and_cannot_choose(client, adn_chooses):
    (expert,) = bulk_experts(1)
    reviewer = staff("reviewer", "START")
    login_staff(client, reviewer)

    page = client.get(page_url(adn_chooses))
    refused = client.post(
        reverse("applications:staff_application_assign_expert", args=[adn_chooses.pk]),
        {"expert": str(expert.pk)},
    )

    assert 'name="expert"' not in page.content.decode()
    assert refused.status_code == 404  # role_required: not a page of theirs
    assert Application.objects.get(pk=adn_chooses.pk).expert is None
