import re

import pytest
from rest_framework.test import APIClient

from programs.models import Programme
from tests.factories import CallFactory, ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_programmes_and_calls_are_public_with_their_state(api):
    CallFactory(slug="ouvert", programme=Programme.objects.get(code="START"))
    assert [p["code"] for p in api.get("/api/v1/programmes/").json()] == [
        "START",
        "TREMPLIN",
        "CAP",
    ]
    calls = api.get("/api/v1/calls/").json()
    assert calls["results"][0]["slug"] == "ouvert"
    assert calls["results"][0]["status"] == "open"
    assert api.get("/api/v1/calls/ouvert/").json()["programme"] == "START"


def test_unpublished_calls_are_not_listed(api):
    CallFactory(slug="cache", is_published=False)
    assert api.get("/api/v1/calls/").json()["count"] == 0
    response = api.get("/api/v1/calls/cache/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "errors": [
            {"field": None, "code": "not_found", "message": response.json()["errors"][0]["message"]}
        ],
    }


def test_experts_use_the_directorys_search_and_filters(api):
    ExpertFactory(
        organisation__name="Vision Eupen", organisation__postcode="4700", languages=["fr", "de"]
    )
    ExpertFactory(
        organisation__name="Namur Data",
        organisation__postcode="5000",
        specialities=["data_engineering"],
    )
    ExpertFactory(organisation__name="Suspendue", status="suspended")

    def names(params):
        return [e["name"] for e in api.get("/api/v1/experts/", params).json()["results"]]

    assert sorted(names({})) == ["Namur Data", "Vision Eupen"]
    assert names({"speciality": "computer_vision", "province": "liege", "language": "de"}) == [
        "Vision Eupen"
    ]
    assert names({"q": "namur"}) == ["Namur Data"]


def test_expert_pages_are_capped_and_constant_in_queries(api, django_assert_max_num_queries):
    for n in range(30):
        ExpertFactory(organisation__name=f"Expert {n:02d}")
    with django_assert_max_num_queries(1):  # one page of experts joined with their organisation
        response = api.get("/api/v1/experts/", {"page_size": 10_000})
    assert len(response.json()["results"]) == 30  # under the cap of 100
    many = api.get("/api/v1/experts/", {"page_size": 5})
    assert len(many.json()["results"]) == 5 and many.json()["next"]


def test_key_figures_come_from_the_snapshot(api):
    from stats.services import snapshot_run

    ExpertFactory.create_batch(5)  # at the threshold of the small cells: published
    snapshot_run(trigger="manual")
    figures = {f["code"]: f for f in api.get("/api/v1/key-figures/").json()["figures"]}
    assert figures["recognised_experts"]["value"] == "5.0000"
    assert figures["recognised_experts"]["hidden"] is False


def test_the_schema_and_its_documentation_are_served_locally(api):
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = api.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    # Nothing loaded from another host (a random nonce or token may well contain "cdn").
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", docs)


def test_unknown_endpoints_answer_structured_json(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_errors_are_in_the_callers_language(api):
    french = api.get("/api/v1/calls/nope/").json()["errors"][0]["message"]
    english = api.get("/api/v1/calls/nope/", HTTP_ACCEPT_LANGUAGE="en").json()["errors"][0][
        "message"
    ]
    assert french != english
