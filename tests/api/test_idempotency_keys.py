"""Idempotency-Key: a repeat of the same request is answered as the first time and done once;
the key is bound to its request, keeps only a success, expires, and every unsafe endpoint of
the schema honours and documents it. (Concurrent repeats: tests/services.)"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from rest_framework.test import APIClient

from adn_portal.accounts.api import Idempotent
from adn_portal.accounts.idempotency import idempotency_keys_purge
from adn_portal.accounts.models import IdempotencyKey
from adn_portal.lib.api import UNSAFE_METHODS
from adn_portal.wiring import api as api_urls
from applications.models import ApplicationEvent
from applications.workflow import Status
from tests.auth import login_staff
from tests.fixtures.applicants import DECLARATIONS
from tests.fixtures.staff import staff, submitted_file

from .test_files_api import fill, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def reviewer_api(api):
    login_staff(api, staff("reviewer", "START"))
    return api


def post_note(api, application, text: str, key: str = "note-1", language: str = "fr"):
    return api.post(
        f"/api/v1/staff/applications/{application.pk}/notes/",
        {"text": text},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def notes_of(application) -> list[str]:
    return list(
        application.events.filter(kind=ApplicationEvent.Kind.NOTE).values_list("comment", flat=True)
    )


def test_a_repeat_with_the_same_key_and_body_is_answered_again_and_done_once(reviewer_api):
    application = submitted_file()

    first = post_note(reviewer_api, application, "Appeler le demandeur.")
    again = post_note(reviewer_api, application, "Appeler le demandeur.")

    assert (first.status_code, again.status_code) == (204, 204)
    assert again["Idempotent-Replay"] == "true"
    assert notes_of(application) == ["Appeler le demandeur."]


def test_a_method_the_endpoint_does_not_offer_is_a_405_even_with_a_used_key(reviewer_api):
    application = submitted_file()
    assert post_note(reviewer_api, application, "Appeler le demandeur.").status_code == 204

    response = reviewer_api.put(
        f"/api/v1/staff/applications/{application.pk}/notes/",
        {"text": "Autre chose."},
        format="json",
        HTTP_IDEMPOTENCY_KEY="note-1",
    )

    assert response.status_code == 405
    assert notes_of(application) == ["Appeler le demandeur."]


def test_the_same_key_with_another_body_is_refused_not_replayed(reviewer_api):
    application = submitted_file()
    post_note(reviewer_api, application, "Première note.")

    other = post_note(reviewer_api, application, "Une autre note.", language="en")

    assert other.status_code == 422
    assert other.json()["errors"] == [
        {
            "field": "Idempotency-Key",
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was used for another request (method, address or "
            "body): send a new key.",
        }
    ]
    assert notes_of(application) == ["Première note."]


def test_the_same_key_on_another_endpoint_is_refused(reviewer_api):
    first, second = submitted_file(), submitted_file()
    post_note(reviewer_api, first, "Note.")

    other = post_note(reviewer_api, second, "Note.")

    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert notes_of(second) == []


def test_a_refused_submit_runs_again_with_the_same_key_once_the_draft_is_fixed(
    api, applicant, start_call, expert
):
    api.force_authenticate(applicant)
    draft = start(api, applicant, start_call)
    submit = f"/api/v1/applications/{draft['id']}/submit/"

    refused = api.post(submit, DECLARATIONS, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    fill(api, draft, expert)
    submitted = api.post(submit, DECLARATIONS, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")
    again = api.post(submit, DECLARATIONS, format="json", HTTP_IDEMPOTENCY_KEY="submit-1")

    assert refused.status_code == 422
    assert submitted.status_code == 200 and "Idempotent-Replay" not in submitted
    assert submitted.json()["status"] == Status.SUBMITTED
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    assert again.json() == submitted.json()


def test_a_key_is_forgotten_after_24_hours(reviewer_api, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    application = submitted_file()
    post_note(reviewer_api, application, "Relancer.")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    repeat = post_note(reviewer_api, application, "Relancer.")

    assert repeat.status_code == 204 and "Idempotent-Replay" not in repeat
    assert notes_of(application) == ["Relancer.", "Relancer."]


def test_the_purge_forgets_expired_keys_only(reviewer_api, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    application = submitted_file()
    post_note(reviewer_api, application, "Ancienne.", key="old")
    post_note(reviewer_api, application, "Récente.", key="recent")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


def test_a_key_longer_than_100_characters_is_refused(reviewer_api):
    application = submitted_file()

    response = post_note(reviewer_api, application, "Note.", key="k" * 101)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert notes_of(application) == []


def _api_views(patterns, prefix="/api/v1/"):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_with_an_unsafe_method_honours_the_key():
    writers = []
    for route, callback in _api_views(api_urls.urlpatterns):
        actions = getattr(callback, "actions", None)  # a viewset's {method: action}
        methods = {m.upper() for m in actions} if actions else set(callback.cls.http_method_names)
        methods = {m.upper() for m in methods if hasattr(callback.cls, m.lower()) or actions}
        if not methods & set(UNSAFE_METHODS) or route.endswith(r"^[\s\S]*$"):
            continue  # read-only, or the catch-all 404
        writers.append(route)
        assert issubclass(callback.cls, Idempotent), route
    assert len(writers) >= 5  # files, steps, documents, staff actions, exports, expert profile


def test_every_unsafe_operation_of_the_schema_documents_the_header(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    unsafe = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method.upper() in UNSAFE_METHODS
    ]

    assert len(unsafe) >= 10
    for path, method, operation in unsafe:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, (method, path)
