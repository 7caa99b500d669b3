"""A call's review criteria in the public API as on its page (issue 19): each with its scale,
weight and most it adds, its guidance in the reader's language, and the version of the review
form they belong to; typed in the schema."""

from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from programs.services import review_criteria_save, review_form_freeze
from tests.factories import CallFactory, ScoringCriterionFactory
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def call():
    call = CallFactory(slug="vision")
    ScoringCriterionFactory(
        call=call,
        label_fr="Pertinence",
        label_en="Relevance",
        guidance_fr="Le besoin est-il clair ?",
        guidance_en="Is the need clear?",
        guidance_de="",
        scale_min=0,
        scale_max=10,
        weight=Decimal("1.50"),
        position=1,
    )
    ScoringCriterionFactory(call=call, label_fr="Budget", weight=Decimal("2"), position=2)
    return call


@pytest.mark.parametrize(
    ("language", "label", "guidance"),
    [
        ("fr", "Pertinence", "Le besoin est-il clair ?"),
        ("en", "Relevance", "Is the need clear?"),
        ("de", "Pertinence", "Le besoin est-il clair ?"),  # not translated: the French
    ],
)
def test_a_calls_criteria_carry_their_scale_weight_and_guidance_in_the_readers_language(
    api, call, language, label, guidance
):
    response = api.get("/api/v1/calls/vision/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    body = response.json()
    assert body["review_form_version"] == 1
    first, second = body["criteria"]
    assert first | {"id": None} == {
        "id": None,
        "label": label,
        "guidance": guidance,
        "scale_min": 0,
        "scale_max": 10,
        "weight": "1.50",
        "maximum": "15.00",
    }
    assert (second["scale_min"], second["scale_max"], second["guidance"]) == (0, 5, "")


def test_the_list_gives_the_same_criteria_as_the_detail(api, call):
    listed = api.get("/api/v1/calls/")
    detail = api.get("/api/v1/calls/vision/")

    assert (listed.status_code, detail.status_code) == (200, 200)
    (entry,) = listed.json()["results"]
    assert entry["criteria"] == detail.json()["criteria"]
    assert entry["review_form_version"] == 1


def test_a_new_review_form_version_replaces_the_criteria_shown(api, call):
    """Once a review answered version 1, a manager's change makes version 2: the API shows
    version 2's criteria only (the reviews keep theirs)."""
    review_form_freeze(call_id=call.pk)
    manager = staff("programme manager", call.programme.code)
    review_criteria_save(
        call=call,
        entries=[{"label_fr": "Impact", "scale_min": 1, "scale_max": 4, "weight": Decimal("3")}],
        by=manager,
    )

    response = api.get("/api/v1/calls/vision/")

    assert response.status_code == 200
    body = response.json()
    assert body["review_form_version"] == 2
    assert [
        (c["label"], c["scale_min"], c["scale_max"], c["maximum"]) for c in body["criteria"]
    ] == [("Impact", 1, 4, "12.00")]


def test_the_call_page_shows_the_scales_and_guidance_the_api_gives(client, api, call):
    client.cookies["adn_language"] = "en"
    page = client.get(call.get_absolute_url())
    criteria = api.get("/api/v1/calls/vision/", HTTP_ACCEPT_LANGUAGE="en").json()["criteria"]

    assert page.status_code == 200
    text = page.content.decode()
    assert "from 0 to 5" not in text  # each criterion has its own scale
    for criterion in criteria:
        assert criterion["label"] in text
        assert f"{criterion['scale_min']} to {criterion['scale_max']}" in text
    assert "Is the need clear?" in text


def test_the_call_list_takes_the_same_queries_for_one_or_many_calls_with_criteria(api):
    counts = []
    for _round in range(2):
        for _ in range(3):
            ScoringCriterionFactory(call=CallFactory())
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/calls/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_schema_types_every_field_of_a_criterion(api):
    schema = yaml.safe_load(api.get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]

    criterion = components["Criterion"]["properties"]
    assert {name: field["type"] for name, field in criterion.items()} == {
        "id": "integer",
        "label": "string",
        "guidance": "string",
        "scale_min": "integer",
        "scale_max": "integer",
        "weight": "string",
        "maximum": "string",
    }
    assert criterion["weight"]["format"] == criterion["maximum"]["format"] == "decimal"
    assert set(components["Criterion"]["required"]) == set(criterion)
    assert components["Call"]["properties"]["review_form_version"]["type"] == "integer"
