"""What an integrator driving the API from a generated client relies on (issue 22): bodies in
the one encoding they work in, filters that refuse what they do not know, identifiers the API
shows, 201 with Location, 409 pointing at the open file, ETag and If-Match, answers in the
caller's language, and a schema that says all of it whatever the language."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application, ConflictOfInterest, Export
from applications.workflow import Status
from stats.models import Dimension, Indicator, IndicatorValue
from tests.factories import ExpertFactory, OrganisationFactory
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/schema/")
    return yaml.safe_load(response.content)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


# --- the schema ---------------------------------------------------------------------------------


def test_request_bodies_are_json_and_only_uploads_are_multipart(schema):
    encodings = {
        (method, path): set(operation["requestBody"]["content"])
        for path, method, operation in _operations(schema)
        if "requestBody" in operation
    }
    uploads = {key for key, types in encodings.items() if "multipart/form-data" in types}
    assert {path for _method, path in uploads} == {
        "/api/v1/applications/{id}/attachments/",
        "/api/v1/applications/{id}/messages/",
        "/api/v1/staff/applications/{id}/messages/",
        "/api/v1/me/expert/files/{id}/messages/",
        "/api/v1/me/expert/",
    }
    assert all(
        types == {"application/json"} for key, types in encodings.items() if key not in uploads
    )
    assert not any("application/x-www-form-urlencoded" in t for t in encodings.values())


@pytest.mark.parametrize(
    ("path", "method", "upload"),
    [
        ("/api/v1/me/expert/", "patch", "logo"),
        ("/api/v1/applications/{id}/messages/", "post", "file"),
        ("/api/v1/staff/applications/{id}/messages/", "post", "file"),
        ("/api/v1/me/expert/files/{id}/messages/", "post", "file"),
    ],
)
def test_the_json_and_the_multipart_body_of_one_operation_are_different_shapes(
    schema, path, method, upload
):
    content = schema["paths"][path][method]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    json_body = content["application/json"]["schema"]["$ref"]
    multipart = content["multipart/form-data"]["schema"]["$ref"]
    assert json_body != multipart
    components = schema["components"]["schemas"]
    assert upload not in components[json_body.rsplit("/", 1)[1]]["properties"]
    assert upload in components[multipart.rsplit("/", 1)[1]]["properties"]


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/experts/", {"q", "speciality", "sector", "province", "language", "programme"}),
        (
            "/api/v1/staff/applications/",
            {"programme", "call", "status", "province", "kind", "reviewer", "mine", "overdue"},
        ),
        ("/api/v1/staff/indicators/", {"indicator", "dimension"}),
    ],
)
def test_list_filters_are_in_the_schema(schema, path, names):
    parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
    assert names <= parameters


def test_sortable_lists_offer_their_sorts_in_the_schema(schema):
    def ordering(path):
        (parameter,) = [
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "ordering"
        ]
        return parameter["schema"]

    assert ordering("/api/v1/experts/")["enum"] == ["files", "name", "recent"]
    assert "-submitted" in ordering("/api/v1/staff/applications/")["items"]["enum"]


def test_the_schema_is_the_same_in_every_language(api):
    schemas = {
        language: api.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE=language).content
        for language in ("fr", "de", "en")
    }
    assert schemas["fr"] == schemas["de"] == schemas["en"]
    assert api.get("/api/v1/schema/", {"lang": "de"}).content == schemas["fr"]
    assert b"Search" in schemas["fr"]


def test_creates_replays_and_throttles_document_their_headers(schema):
    create = schema["paths"]["/api/v1/applications/"]["post"]["responses"]
    assert "Location" in create["201"]["headers"]
    assert "Idempotent-Replay" in create["201"]["headers"]
    assert "Location" in create["409"]["headers"]
    assert "Retry-After" in create["429"]["headers"]
    step = schema["paths"]["/api/v1/applications/{id}/steps/{step}/"]["put"]
    assert "If-Match" in {p["name"] for p in step["parameters"]}
    assert "ETag" in step["responses"]["200"]["headers"]
    assert "412" in step["responses"]


def test_json_fields_have_their_shapes(schema):
    components = schema["components"]["schemas"]
    call = components["Call"]["properties"]
    assert call["audiences"]["items"]["$ref"].endswith("/AudienceEnum")
    assert call["eligibility_rules"]["items"]["$ref"].endswith("/EligibilityRuleEnum")
    expert = components["ExpertPublic"]["properties"]
    assert expert["specialities"]["items"]["$ref"].endswith("/SpecialityEnum")
    assert expert["id"]["type"] == "integer"
    application = components["Application"]["properties"]
    assert application["completed_steps"]["items"]["type"] == "string"
    assert application["next_step"]["nullable"] is True
    staff_file = components["StaffApplicationDetail"]["properties"]
    assert staff_file["eligibility"]["items"]["$ref"].endswith("/EligibilityCheck")


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"province": "nowhere"}, "province"),
        ({"speciality": "astrology"}, "speciality"),
        ({"ordering": "price"}, "ordering"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_an_unknown_expert_filter_value_is_a_400_naming_it(api, query, field):
    ExpertFactory()
    response = api.get("/api/v1/experts/", query)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_expert_filters_narrow_the_list_and_ordering_sorts_it(api):
    vision = ExpertFactory(specialities=["computer_vision"], files_delivered=1)
    ExpertFactory(specialities=["nlp_generative"], files_delivered=5)
    busy = ExpertFactory(specialities=["computer_vision"], files_delivered=9)
    response = api.get("/api/v1/experts/", {"speciality": "computer_vision", "ordering": "files"})
    assert response.status_code == 200
    assert [e["slug"] for e in response.json()["results"]] == [busy.slug, vision.slug]


def test_expert_pages_follow_the_chosen_sort(api):
    experts = [ExpertFactory(files_delivered=n) for n in (3, 7, 5)]
    first = api.get("/api/v1/experts/", {"ordering": "files", "page_size": 2}).json()
    second = api.get(first["next"]).json()
    slugs = [e["slug"] for e in first["results"] + second["results"]]
    assert slugs == [experts[1].slug, experts[2].slug, experts[0].slug]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"province": "nowhere"}, "province"),
        ({"kind": "pirate"}, "kind"),
        ({"programme": "NOPE"}, "programme"),
        ({"call": "no-such-call"}, "call"),
        ({"reviewer": "abc"}, "reviewer"),
        ({"mine": "perhaps"}, "mine"),
        ({"overdue": "yes please"}, "overdue"),
        ({"ordering": "price"}, "ordering"),
    ],
)
def test_an_unknown_queue_filter_value_is_a_400_naming_it(api, query, field):
    api.force_authenticate(staff("programme manager", "START"))
    submitted_file()
    response = api.get("/api/v1/staff/applications/", query)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_queue_filters_by_the_identifiers_the_api_shows(api):
    manager = staff("programme manager", "START", "TREMPLIN")
    start_file = submitted_file()
    from tests.fixtures.staff import scored_call

    submitted_file(scored_call("TREMPLIN"))
    api.force_authenticate(manager)
    by_programme = api.get("/api/v1/staff/applications/", {"programme": "START"})
    by_call = api.get("/api/v1/staff/applications/", {"call": start_file.call.slug})
    assert by_programme.status_code == by_call.status_code == 200
    assert [row["id"] for row in by_programme.json()["results"]] == [start_file.pk]
    assert [row["id"] for row in by_call.json()["results"]] == [start_file.pk]
    assert by_programme.json()["results"][0]["programme"] == "START"


def test_the_queue_sorts_and_pages_by_the_organisation_name(api):
    api.force_authenticate(staff("programme manager", "START"))
    names = ["Zèbre SRL", "Abeille SA", "Moulin SC"]
    files = {n: submitted_file(organisation=OrganisationFactory(name=n)) for n in names}
    first = api.get("/api/v1/staff/applications/", {"ordering": "organisation", "page_size": 2})
    assert first.status_code == 200
    second = api.get(first.json()["next"])
    rows = first.json()["results"] + second.json()["results"]
    assert [row["id"] for row in rows] == [files[n].pk for n in sorted(names)]


def test_mine_takes_true_or_false(api):
    manager = staff("programme manager", "START")
    submitted_file()
    api.force_authenticate(manager)
    mine = api.get("/api/v1/staff/applications/", {"mine": "true"})
    everything = api.get("/api/v1/staff/applications/", {"mine": "false"})
    assert mine.status_code == everything.status_code == 200
    assert (len(mine.json()["results"]), len(everything.json()["results"])) == (0, 1)


def test_indicator_filters_refuse_unknown_codes_and_filter_known_ones(api):
    api.force_authenticate(staff("programme manager", "START"))
    today = timezone.localdate()
    for indicator in (Indicator.REQUESTS, Indicator.COMPLETED):
        IndicatorValue.objects.create(
            as_of=today,
            indicator=indicator,
            dimension=Dimension.ALL,
            value=3,
            computed_at=timezone.now(),
        )
    refused = api.get("/api/v1/staff/indicators/", {"indicator": "happiness"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "indicator"
    assert api.get("/api/v1/staff/indicators/", {"dimension": "galaxy"}).status_code == 400
    rows = api.get("/api/v1/staff/indicators/", {"indicator": "requests"})
    assert rows.status_code == 200
    assert [row["indicator"] for row in rows.json()] == ["requests"]


# --- creating, conflicts, headers ---------------------------------------------------------------


def test_a_new_file_answers_201_with_its_location(api, applicant, start_call):
    api.force_authenticate(applicant)
    response = api.post(
        "/api/v1/applications/",
        {"call": start_call.slug, "organisation": applicant.organisation.pk},
    )
    assert response.status_code == 201
    assert response["Location"] == f"http://testserver/api/v1/applications/{response.json()['id']}/"
    assert api.get(response["Location"]).status_code == 200


def test_a_second_file_of_the_programme_is_a_409_pointing_at_the_open_one(
    api, applicant, start_call
):
    open_file = submitted_file(start_call, organisation=applicant.organisation, applicant=applicant)
    api.force_authenticate(applicant)
    response = api.post(
        "/api/v1/applications/",
        {"call": start_call.slug, "organisation": applicant.organisation.pk},
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "already_open"
    assert response["Location"].endswith(f"/api/v1/applications/{open_file.pk}/")
    assert Application.objects.filter(organisation=applicant.organisation).count() == 1


def test_a_file_carries_an_etag_and_if_match_guards_a_step_save(api, applicant, start_call):
    api.force_authenticate(applicant)
    draft = api.post(
        "/api/v1/applications/",
        {"call": start_call.slug, "organisation": applicant.organisation.pk},
    ).json()
    url = f"/api/v1/applications/{draft['id']}/"
    read = api.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    body = {"version": draft["version"], "data": {}, "complete": False}
    step = f"{url}steps/{draft['next_step']}/"
    stale = api.put(step, body, HTTP_IF_MATCH='"0-0"')
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["code"] == "precondition_failed"
    assert stale["ETag"] == etag
    assert Application.objects.get(pk=draft["id"]).version == draft["version"]
    saved = api.put(step, body, HTTP_IF_MATCH=etag)
    assert saved.status_code == 200
    assert saved["ETag"] != etag
    assert saved["ETag"] == api.get(url)["ETag"]


def test_assignable_reviewers_are_listed_with_the_id_assignment_takes(api):
    manager = staff("programme manager", "START")
    reviewer = staff("reviewer", "START", first_name="Sophie")
    conflicted = staff("reviewer", "START")
    staff("reviewer", "CAP")
    application = submitted_file(status=Status.UNDER_REVIEW)
    ConflictOfInterest.objects.create(
        reviewer=conflicted, organisation=application.organisation, reason="Cousin"
    )
    api.force_authenticate(manager)
    listed = api.get(f"/api/v1/staff/applications/{application.pk}/reviewers/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [reviewer.pk]
    assigned = api.post(
        f"/api/v1/staff/applications/{application.pk}/assignment/",
        {"reviewer": listed.json()[0]["id"]},
    )
    assert assigned.status_code == 204


def test_an_applicant_cannot_list_reviewers(api, applicant):
    application = submitted_file(organisation=applicant.organisation, applicant=applicant)
    api.force_authenticate(applicant)
    assert api.get(f"/api/v1/staff/applications/{application.pk}/reviewers/").status_code == 404


def test_an_export_is_created_with_its_location_and_downloaded_through_the_api(
    api, django_capture_on_commit_callbacks
):
    manager = staff("programme manager", "START")
    submitted_file()
    api.force_authenticate(manager)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/staff/exports/", {"format": "csv"})
    assert created.status_code == 201
    export = api.get(created["Location"])
    assert export.status_code == 200
    assert export.json()["state"] == "ready"
    download = api.get(export.json()["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    assert b"".join(download.streaming_content).count(b"\n") >= 2


def test_an_export_not_ready_or_someone_elses_is_not_downloaded(api):
    manager, other = staff("programme manager", "START"), staff("programme manager", "START")
    pending = Export.objects.create(requested_by=manager, format="csv")
    theirs = Export.objects.create(requested_by=other, format="csv", state=Export.State.READY)
    api.force_authenticate(manager)
    assert api.get(f"/api/v1/staff/exports/{pending.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/staff/exports/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/staff/exports/{theirs.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/staff/exports/{'9' * 30}/").status_code == 404


# --- languages and renderers --------------------------------------------------------------------


def test_the_api_own_messages_follow_accept_language(api, applicant, start_call):
    stranger = OrganisationFactory()
    api.force_authenticate(applicant)
    body = {"call": start_call.slug, "organisation": stranger.pk}
    german = api.post("/api/v1/applications/", body, HTTP_ACCEPT_LANGUAGE="de")
    english = api.post("/api/v1/applications/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert german.status_code == english.status_code == 404
    assert english.json()["errors"][0]["message"] == "You do not act for this organisation."
    assert german["Content-Language"] == "de"
    assert "Accept-Language" in german["Vary"]


def test_a_field_that_cannot_be_set_is_named_in_the_callers_language(api, applicant, start_call):
    api.force_authenticate(applicant)
    response = api.post(
        "/api/v1/applications/",
        {"call": start_call.slug, "organisation": applicant.organisation.pk, "status": "selected"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "status", "code": "read_only", "message": "This field cannot be set."}
    ]


def test_a_form_encoded_body_is_refused_where_json_is_expected(api, applicant, start_call):
    api.force_authenticate(applicant)
    response = api.post(
        "/api/v1/applications/",
        f"call={start_call.slug}&organisation={applicant.organisation.pk}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


PRODUCTION_ENV = {
    "SECRET_KEY": "k3y-" + "x9" * 30,
    "RECORD_CHAIN_KEY": "ch4in-" + "y8" * 30,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://adn@db.example.org:5432/adn_portal",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://smtp.example.org:587",
    "SITE_URL": "https://portal.example.org",
}


def test_production_renders_the_api_in_json_only():
    check = (
        "import django; django.setup(); from rest_framework.settings import api_settings; "
        "print([r.__name__ for r in api_settings.DEFAULT_RENDERER_CLASSES])"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_", "EMAIL_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "adn_portal.settings.production"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['JSONRenderer']"


def test_pages_and_page_sizes_start_at_one_in_the_schema(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/calls/"]["get"]["parameters"]
    }
    assert parameters["page"]["minimum"] == parameters["page_size"]["minimum"] == 1
    cursor_list = schema["paths"]["/api/v1/experts/"]["get"]["parameters"]
    assert {p["name"]: p["schema"] for p in cursor_list}["page_size"]["minimum"] == 1


def test_links_name_operations_and_parameters_the_schema_has(schema):
    operations = {
        operation["operationId"]: (path, operation) for path, _m, operation in _operations(schema)
    }
    links = [
        link
        for _path, _method, operation in _operations(schema)
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) >= 40
    for link in links:
        path, target = operations[link["operationId"]]
        names = {p["name"] for p in target.get("parameters", [])}
        assert set(link["parameters"]) <= names, link
        assert all("{" + name + "}" in path for name in link["parameters"]), link
        assert ("requestBody" in link) <= ("requestBody" in target), link


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/staff/indicators/", {"indicator": ""}),
        ("/api/v1/staff/applications/", {"province": ""}),
        ("/api/v1/staff/applications/", {"status": ["submitted", ""]}),
        ("/api/v1/experts/", {"sector": ""}),
    ],
)
def test_an_empty_filter_value_is_refused_but_an_empty_search_is_no_search(api, path, query):
    api.force_authenticate(staff("programme manager", "START"))
    name = next(iter(query))
    refused = api.get(path, query)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == [name]
    assert api.get("/api/v1/experts/", {"q": ""}).status_code == 200
