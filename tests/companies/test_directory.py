import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from companies import services
from companies.models import Expert, ExpertFacet
from companies.workflow import Actor, RecognitionStatus
from tests.factories import ExpertFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
DIRECTORY = reverse("companies:expert_directory")


def names(response) -> list[str]:
    return [expert.organisation.name for expert in response.context["page"]]


def facet(response, kind: str) -> dict[str, int]:
    return {
        option.value: option.count
        for k, _label, options in response.context["facets"]
        if k == kind
        for option in options
    }


@pytest.fixture
def experts(db):
    return {
        "liege_cv_de": ExpertFactory(
            organisation__name="Eupen Vision SRL",
            organisation__postcode="4700",
            specialities=["computer_vision"],
            languages=["fr", "de"],
        ),
        "liege_nlp": ExpertFactory(
            organisation__name="Meuse Langage SA",
            organisation__postcode="4000",
            specialities=["nlp_genai"],
            languages=["fr", "en"],
        ),
        "namur_cv": ExpertFactory(
            organisation__name="Namur Pixels SRL",
            organisation__postcode="5000",
            specialities=["computer_vision", "optimisation"],
            languages=["fr"],
        ),
        "expired": ExpertFactory(
            organisation__name="Expirée SRL",
            organisation__postcode="4000",
            status=RecognitionStatus.EXPIRED,
            recognised_until=timezone.localdate() - timedelta(days=5),
        ),
        "suspended": ExpertFactory(
            organisation__name="Suspendue SA", status=RecognitionStatus.SUSPENDED
        ),
        "submitted": ExpertFactory(
            organisation__name="Candidate SRL", status=RecognitionStatus.SUBMITTED
        ),
        "past_end": ExpertFactory(  # still "active" until tonight's task: already hidden
            organisation__name="Échue SRL",
            recognised_until=timezone.localdate() - timedelta(days=1),
        ),
    }


def test_only_active_recognitions_are_listed(client, experts):
    response = client.get(DIRECTORY)
    assert names(response) == ["Eupen Vision SRL", "Meuse Langage SA", "Namur Pixels SRL"]


def test_a_visitor_finds_computer_vision_experts_in_liege_speaking_german(client, experts):
    response = client.get(
        DIRECTORY, {"speciality": "computer_vision", "province": "liege", "language": "de"}
    )
    assert names(response) == ["Eupen Vision SRL"]


def test_options_of_one_facet_combine_with_or_and_facets_with_and(client, experts):
    response = client.get(DIRECTORY, {"speciality": ["nlp_genai", "optimisation"]})
    assert names(response) == ["Meuse Langage SA", "Namur Pixels SRL"]
    response = client.get(
        DIRECTORY, {"speciality": ["nlp_genai", "optimisation"], "province": "namur"}
    )
    assert names(response) == ["Namur Pixels SRL"]


def test_counts_per_option_tell_how_many_results_each_choice_gives(client, experts):
    response = client.get(DIRECTORY, {"province": "liege"})
    # Specialities are counted within Liège; provinces ignore the province filter itself.
    assert facet(response, "speciality") == {"computer_vision": 1, "nlp_genai": 1}
    assert facet(response, "province") == {"liege": 2, "namur": 1}
    assert facet(response, "language") == {"fr": 2, "de": 1, "en": 1}


def test_search_ignores_accents_and_case_and_matches_word_starts(client, experts):
    assert names(client.get(DIRECTORY, {"q": "LIEGE"})) == [
        "Meuse Langage SA"
    ]  # municipality Liège
    assert names(client.get(DIRECTORY, {"q": "pix"})) == ["Namur Pixels SRL"]
    assert names(client.get(DIRECTORY, {"q": "eupen vision"})) == ["Eupen Vision SRL"]
    assert names(client.get(DIRECTORY, {"q": "inexistant"})) == []


def test_sort_and_pagination_are_kept_in_the_url(client):
    for n in range(25):
        ExpertFactory(organisation__name=f"Expert {n:02d}", files_delivered=n)
    first = client.get(DIRECTORY, {"sort": "files"})
    assert names(first)[:2] == ["Expert 24", "Expert 23"]
    assert len(names(first)) == 20
    second = client.get(DIRECTORY, {"sort": "files", "page": 2})
    assert names(second) == [f"Expert {n:02d}" for n in range(4, -1, -1)]
    assert "sort=files&amp;page=2" in first.content.decode()
    assert first.context["page"].paginator.count == second.context["page"].paginator.count == 25
    for past_the_end in ("3", "999"):  # the last page
        assert names(client.get(DIRECTORY, {"sort": "files", "page": past_the_end})) == names(
            second
        )


def test_unknown_filter_values_are_ignored_not_an_error(client, experts):
    response = client.get(
        DIRECTORY, {"speciality": "telepathy", "province": "liege", "page": "x", "sort": "evil"}
    )
    assert response.status_code == 200
    assert names(response) == ["Eupen Vision SRL", "Meuse Langage SA"]


def test_sql_like_search_text_is_harmless(client, experts):
    response = client.get(DIRECTORY, {"q": "'; DROP TABLE companies_expert; --"})
    assert response.status_code == 200
    assert Expert.objects.count() == len(experts)


def bulk_experts(count: int) -> None:
    """Many listed experts without going through factories one by one."""
    organisations = [
        OrganisationFactory.build(name=f"Bulk {n:04d}", postcode="5000") for n in range(count)
    ]
    for organisation in organisations:
        organisation.municipality, organisation.province = "Namur", "namur"
    organisations = type(organisations[0]).objects.bulk_create(organisations)
    experts = Expert.objects.bulk_create(
        ExpertFactory.build(
            organisation=organisation, slug=f"bulk-{n}", search_text=f"bulk {n:04d} namur"
        )
        for n, organisation in enumerate(organisations)
    )
    ExpertFacet.objects.bulk_create(
        ExpertFacet(expert=expert, kind=kind, value=value)
        for expert in experts
        for kind, value in (
            ("speciality", "computer_vision"),
            ("language", "fr"),
            ("province", "namur"),
            ("sector", "manufacturing"),
            ("programme", "START"),
        )
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_directory_query_count_is_the_same_for_10_and_1000_experts(
    client, django_assert_num_queries, count
):
    bulk_experts(count)
    postgresql = connection.vendor == "postgresql"
    # The first page of this version of the directory builds its index (the experts in their
    # orders, the facet rows, on PostgreSQL the words of their search vectors), then fetches
    # the page's experts for their cards.
    with django_assert_num_queries(4 if postgresql else 3):
        response = client.get(DIRECTORY, {"language": "fr"})
    assert response.context["page"].paginator.count == count
    # A new search lists the same first experts: its words (one query on SQLite; PostgreSQL
    # reads them in the index), their cards from the cache, the facets' counts from the index.
    searched = 0 if postgresql else 1
    with django_assert_num_queries(searched):
        response = client.get(DIRECTORY, {"speciality": "computer_vision", "q": "bulk"})
    assert response.context["page"].paginator.count == count
    with django_assert_num_queries(searched):  # the same without any facet chosen
        response = client.get(DIRECTORY, {"q": "bulk", "page": "1"})
    assert response.context["page"].paginator.count == count
    with django_assert_num_queries(0):  # no words, the same first experts: nothing to ask
        response = client.get(DIRECTORY, {"province": "namur", "sort": "files"})
    assert response.context["page"].paginator.count == count


def test_open_data_exports_list_the_directory_as_csv_and_json(client, experts):
    experts["namur_cv"].organisation.name = '=HYPERLINK("http://evil") SRL'
    experts["namur_cv"].organisation.save()

    response = client.get(reverse("companies:experts_export", args=["csv"]), {"province": "liege"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert [row["name"] for row in rows] == ["Eupen Vision SRL", "Meuse Langage SA"]
    assert rows[0]["languages"] == "fr|de"

    response = client.get(reverse("companies:experts_export", args=["csv"]))
    names_in_csv = [
        row["name"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    ]
    assert '\'=HYPERLINK("http://evil") SRL' in names_in_csv  # made inert for spreadsheets

    data = json.loads(client.get(reverse("companies:experts_export", args=["json"])).content)
    assert data["count"] == 3
    assert {e["enterprise_number"] for e in data["experts"]} == {
        e.organisation.enterprise_number_display
        for e in (experts["liege_cv_de"], experts["liege_nlp"], experts["namur_cv"])
    }


def test_expert_page_shows_profile_dates_and_files_delivered(client, experts):
    expert = experts["liege_cv_de"]
    expert.files_delivered = 7
    expert.save()
    response = client.get(expert.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Eupen Vision SRL" in page and "Eupen" in page
    assert expert.organisation.enterprise_number_display in page
    assert ">7<" in page


@pytest.mark.parametrize("key", ["expired", "suspended", "submitted", "past_end"])
def test_the_page_of_a_company_not_recognised_now_is_404(client, experts, key):
    assert client.get(experts[key].get_absolute_url()).status_code == 404


def test_a_changed_province_moves_the_company_between_filters(client, experts):
    expert = experts["namur_cv"]
    organisation = expert.organisation
    organisation.postcode = "6600"  # Bastogne, Luxembourg
    from tests.factories import make_member

    services.organisation_update(organisation=organisation, by=make_member(organisation))
    assert names(client.get(DIRECTORY, {"province": "luxembourg"})) == ["Namur Pixels SRL"]
    assert names(client.get(DIRECTORY, {"province": "namur"})) == []


def test_a_repeated_directory_page_comes_from_the_cache_and_a_change_invalidates_it(
    client, experts, django_assert_num_queries
):
    client.get(DIRECTORY, {"province": "liege"})
    with django_assert_num_queries(0):  # results and facets from the cache
        response = client.get(DIRECTORY, {"province": "liege"})
    assert "Eupen Vision SRL" in response.content.decode()

    from tests.factories import UserFactory

    services.expert_transition(
        expert=experts["liege_cv_de"],
        to=RecognitionStatus.SUSPENDED,
        actor=Actor.STAFF,
        by=UserFactory(),
        comment="Contrôle.",
    )
    assert "Eupen Vision SRL" not in client.get(DIRECTORY, {"province": "liege"}).content.decode()


def test_a_workers_own_copy_of_a_page_is_not_served_once_the_shared_cache_lost_its_version(
    client, experts
):
    from django.core.cache import caches

    assert "Eupen Vision SRL" in client.get(DIRECTORY).content.decode()  # now in both caches
    caches["default"].clear()  # Redis restarted: every version is gone…
    experts["liege_cv_de"].organisation.__class__.objects.filter(
        pk=experts["liege_cv_de"].organisation_id
    ).update(name="Eupen Vision Renamed SRL")  # …and the data changed meanwhile
    page = client.get(DIRECTORY).content.decode()
    assert "Eupen Vision Renamed SRL" in page  # a fresh version, not the worker's old copy


def test_a_page_with_a_parameter_the_directory_does_not_know_is_rendered_but_not_kept(
    client, experts, django_assert_max_num_queries
):
    from django.core.cache import caches

    def pages_kept():  # whole pages (the experts' cards are kept once each, whatever the query)
        return [key for key in caches["pages"]._cache if ":page:directory:" in key]

    caches["pages"].clear()
    for n in range(3):  # a crawler's cache-busting parameter: one copy per value otherwise
        page = client.get(DIRECTORY, {"province": "liege", "utm_source": f"crawler-{n}"})
        assert "Eupen Vision SRL" in page.content.decode()
    assert not pages_kept()  # no page kept in the worker's memory

    client.get(DIRECTORY, {"province": "liege", "page": "1"})
    assert len(pages_kept()) == 1  # the directory's own parameters are kept
    with django_assert_max_num_queries(0):
        client.get(DIRECTORY, {"province": "liege", "page": "1"})


def test_an_experts_card_is_rendered_once_and_shows_a_change_at_once(client, experts):
    """The cards are kept under the directory's content version: another search showing the
    same expert reuses its card, and a change to the expert shows on the next page."""
    from django.core.cache import caches

    from tests.fixtures.staff import staff

    def cards_of(expert):
        return [
            key
            for key in caches["pages"]._cache
            if ":expert-card:" in key and key.endswith(f":{expert.pk}")
        ]

    expert = experts["liege_cv_de"]
    caches["pages"].clear()
    client.get(DIRECTORY, {"q": "vision"})
    first = cards_of(expert)
    client.get(DIRECTORY, {"province": "liege"})  # a new search, Eupen Vision SRL again
    assert len(first) == 1 and cards_of(expert) == first

    expert.description_fr = "Nouvelle description de vision industrielle."
    services.expert_save_by_staff(
        expert=expert, fields=["description_fr"], by=staff("administrator")
    )

    page = client.get(DIRECTORY, {"province": "liege", "sort": "recent"})
    assert page.status_code == 200
    assert "Nouvelle description de vision industrielle." in page.content.decode()
