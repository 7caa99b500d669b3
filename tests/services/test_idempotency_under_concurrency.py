"""The same request sent several times at once with one Idempotency-Key is done once: the key
is reserved (a committed row) before the action runs, and the duplicates are told it is running
or get the first answer (real requests on PostgreSQL, one connection each)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from applications.models import ApplicationEvent
from tests.auth import login_staff
from tests.fixtures.staff import staff, submitted_file
from tests.services.test_concurrency import race

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("requests", [3, 10])
def test_one_request_sent_at_once_with_one_key_is_done_once(requests):
    assert connection.vendor == "postgresql"
    application = submitted_file()
    reviewer = staff("reviewer", "START")
    clients = []
    for _ in range(requests):
        client = APIClient()
        login_staff(client, reviewer)  # one person, one key, several connections
        clients.append(client)

    responses = race(
        requests,
        lambda n: clients[n].post(
            f"/api/v1/staff/applications/{application.pk}/notes/",
            {"text": "Appeler le demandeur."},
            format="json",
            HTTP_IDEMPOTENCY_KEY="note-2026-11-30",
        ),
    )

    notes = ApplicationEvent.objects.filter(application=application, kind="note")
    assert notes.count() == 1, [getattr(r, "status_code", r) for r in responses]
    done = [r for r in responses if r.status_code == 204 and "Idempotent-Replay" not in r]
    replayed = [r for r in responses if r.status_code == 204 and "Idempotent-Replay" in r]
    running = [r for r in responses if r.status_code == 409]
    assert len(done) == 1
    assert len(done) + len(replayed) + len(running) == requests
    for response in running:
        assert response.json()["errors"][0]["code"] == "idempotency_in_progress"
