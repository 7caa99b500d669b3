"""A call's budget envelope holds when managers select its files at the same moment, through
the file page, the queue's batch decision and the API (real requests, one connection each)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Application
from applications.workflow import Status
from tests.auth import login_staff
from tests.fixtures.staff import review, scored_call, staff, submitted_file
from tests.services.test_concurrency import race

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AMOUNT = Decimal("1000")


def scored_files(call, count: int) -> list[Application]:
    reviewer = staff("reviewer", "START")
    files = [
        submitted_file(call, status=Status.UNDER_REVIEW, amount_requested=AMOUNT)
        for _ in range(count)
    ]
    for application in files:
        review(application, reviewer, 4)
    return files


def select_on_the_file_page(client, files):
    for application in files:
        client.post(
            reverse("applications:staff_application_decide", args=[application.pk]),
            {
                "decision": "selected",
                "comment": "",
                "expected_status": "under_review",
                "confirmed": "True",  # the message to the applicant was shown
            },
        )


def select_in_a_batch(client, files):
    client.post(
        reverse("applications:staff_queue_batch"),
        {"action": "selected", "files": [a.pk for a in files], "comment": "", "confirmed": "True"},
    )


def select_through_the_api(client, files):
    for application in files:
        client.post(
            f"/api/v1/staff/applications/{application.pk}/transitions/",
            {"to": "selected", "expected_status": "under_review", "confirmed": True},
            format="json",
        )


CHANNELS = {
    "page": (Client, select_on_the_file_page),
    "batch": (Client, select_in_a_batch),
    "api": (APIClient, select_through_the_api),
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("managers", [2, 10])
def test_managers_selecting_files_of_one_call_at_once_stay_within_its_envelope(managers, channel):
    assert connection.vendor == "postgresql"
    # One file per manager; the envelope funds half of them and half a file more.
    funded = managers // 2
    call = scored_call(budget_envelope=AMOUNT * funded + AMOUNT / 2)
    files = scored_files(call, managers)
    client_class, select = CHANNELS[channel]
    clients = []
    for _ in range(managers):
        client = client_class()
        login_staff(client, staff("programme manager", "START"))
        clients.append(client)

    results = race(managers, lambda n: select(clients[n], [files[n]]))

    assert all(r is None for r in results), results
    selected = Application.objects.filter(call=call, status=Status.SELECTED)
    committed = selected.aggregate(total=Sum("granted_amount"))["total"]
    assert (selected.count(), committed) == (funded, AMOUNT * funded)
