"""The directory's index (companies/directory_index.py) answers as the SQL it replaces on the
page: the same experts in the same order on every page, and the same count for every facet
option, whatever the search, facets and sort; it follows every change to the directory at once,
and works without the cache."""

import random
from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import Count
from django.utils import timezone

from companies import directory_index, selectors
from companies.models import Expert, ExpertFacet
from companies.selectors import FACET_CHOICES, DirectoryQuery
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db
WORDS = ["vision", "langage", "prévision", "robot", "données", "chatbot"]
POSTCODES = ["4000", "4700", "5000", "6600", "1300", "7000", "1000"]


@pytest.fixture
def varied_experts(db):
    rng = random.Random(23)  # noqa: S311 — repeatable
    today = timezone.localdate()
    for n in range(45):
        ExpertFactory(
            organisation__name=f"{rng.choice(['Alpha', 'Béta', 'gamma', 'Delta'])} {n:02d} SRL",
            organisation__postcode=rng.choice(POSTCODES),
            description_fr=" ".join(rng.sample(WORDS, 2)),
            specialities=rng.sample([v for v, _ in FACET_CHOICES["speciality"]], 2),
            sectors=rng.sample([v for v, _ in FACET_CHOICES["sector"]], rng.randint(1, 3)),
            languages=rng.sample(["fr", "de", "en", "nl"], rng.randint(1, 3)),
            programmes=rng.sample(["START", "TREMPLIN"], rng.randint(1, 2)),
            files_delivered=rng.randint(0, 5),  # ties: broken by name
            recognised_from=today - timedelta(days=rng.randint(1, 4) * 100),
        )
    return rng


def reference(query: DirectoryQuery):
    """The answer of the SQL the page used before the index: the results as the export and
    the API still give them, each facet's counts by facet rows (its own filter aside)."""
    today = timezone.localdate()
    experts = [expert.pk for expert in selectors.directory_results(query, today=today)]
    listed = selectors._search(Expert.objects.publicly_listed(today=today), query.search)
    counts = {}
    for kind in FACET_CHOICES:
        counted = ExpertFacet.objects.filter(
            kind=kind, expert__in=selectors._filter(listed, query.selected, skip=kind).values("pk")
        )
        for value, n in counted.values_list("value").annotate(n=Count("expert_id")):
            counts[(kind, value)] = n
    return experts, selectors._facet_options(query, counts)


def drawn_query(rng) -> DirectoryQuery:
    selected = {}
    for kind, choices in FACET_CHOICES.items():
        if rng.random() < 0.35:
            selected[kind] = [value for value, _ in rng.sample(choices, rng.randint(1, 2))]
    return DirectoryQuery(
        search=rng.choice(["", "", "VISION", "pre", "donnees robot", "alpha", "zzz"]),
        selected=selected,
        sort=rng.choice(["name", "recent", "files"]),
    )


def test_every_page_and_facet_count_is_the_one_sql_gives(varied_experts):
    rng = varied_experts
    for _ in range(60):
        query = drawn_query(rng)
        expected, expected_facets = reference(query)
        shown = []
        for number in range(1, 6):  # 45 experts at most: 5 pages
            page, facets = selectors.directory_page(
                query, number=str(number), per_page=10, today=timezone.localdate()
            )
            assert page.paginator.count == len(expected), query
            if page.number == number:
                shown += [expert.pk for expert in page.object_list]
        assert shown == expected, query
        assert facets == expected_facets, query


def test_a_change_to_an_expert_shows_in_the_next_answer(varied_experts):
    from companies import services
    from companies.workflow import Actor, RecognitionStatus
    from tests.factories import UserFactory

    query = DirectoryQuery(sort="name")
    page, _facets = selectors.directory_page(
        query, number="1", per_page=50, today=timezone.localdate()
    )
    first = page.object_list[0]
    services.expert_transition(
        expert=Expert.objects.get(pk=first.pk),
        to=RecognitionStatus.SUSPENDED,
        actor=Actor.STAFF,
        by=UserFactory(),
        comment="Contrôle.",
    )
    page, _facets = selectors.directory_page(
        query, number="1", per_page=50, today=timezone.localdate()
    )
    assert first.pk not in [expert.pk for expert in page.object_list]
    assert page.paginator.count == 44


def test_without_the_cache_the_index_is_built_for_the_request(varied_experts):
    query = DirectoryQuery(search="vision", selected={"language": ["de"]}, sort="files")
    expected, expected_facets = reference(query)
    with mock.patch.object(directory_index, "current_version", return_value=None):
        page, facets = selectors.directory_page(
            query, number="1", per_page=50, today=timezone.localdate()
        )
    assert [expert.pk for expert in page.object_list] == expected
    assert facets == expected_facets


def test_an_expert_gone_since_the_index_was_read_has_no_card_and_none_is_kept(varied_experts):
    from django.core.cache import caches

    from companies.views.public import _cards

    kept = Expert.objects.publicly_listed(today=timezone.localdate()).first()
    cards = _cards(selectors.ExpertsById([kept.pk, 10**9]))
    assert len(cards) == 1 and kept.organisation.name in cards[0]
    assert not [key for key in caches["pages"]._cache if key.endswith(f":{10**9}")]


def test_the_picker_shows_what_the_database_says_and_a_change_at_once(
    varied_experts, django_assert_num_queries
):
    """The expert picker's experts come from the index (no query for them), carrying what
    the database holds; a renamed organisation shows in the next answer."""
    from companies import services
    from tests.fixtures.staff import staff

    def offered(number="1"):
        return selectors.experts_offered(
            programme="START", search="", number=number, per_page=50, chosen=None, today=today
        )

    today = timezone.localdate()
    expected = list(
        Expert.objects.publicly_listed(today=today)
        .filter(facets__kind="programme", facets__value="START")
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    offered()  # the index of this version, built once
    with django_assert_num_queries(0):
        page, _chosen = offered()
        shown = [
            (
                expert.pk,
                expert.organisation_id,
                expert.organisation.name,
                expert.organisation.municipality,
                expert.organisation.province,
                expert.specialities,
                expert.languages,
            )
            for expert in page.object_list
        ]
    assert shown == [
        (
            expert.pk,
            expert.organisation_id,
            expert.organisation.name,
            expert.organisation.municipality,
            expert.organisation.province,
            expert.specialities,
            expert.languages,
        )
        for expert in expected
    ]

    organisation = expected[0].organisation
    organisation.name = "zzz renommée SRL"
    services.organisation_save_by_staff(
        organisation=organisation, fields=["name"], by=staff("administrator")
    )
    page, _chosen = offered()
    assert page.object_list[-1].organisation.name == "zzz renommée SRL"
    assert expected[0].pk not in [expert.pk for expert in page.object_list[:-1]]


def test_the_picker_shows_only_the_codes_it_has_a_label_for(db):
    """A stored list may hold anything (before the API checked them): the picker's experts
    carry the known codes only, as the directory's cards show them."""
    odd = ExpertFactory(specialities=["computer_vision", "gone", 7], languages="fr")

    page, _chosen = selectors.experts_offered(
        programme="START",
        search="",
        number="1",
        per_page=20,
        chosen=None,
        today=timezone.localdate(),
    )

    [offered] = page.object_list
    assert (offered.pk, offered.specialities, offered.languages) == (
        odd.pk,
        ["computer_vision"],
        [],
    )
