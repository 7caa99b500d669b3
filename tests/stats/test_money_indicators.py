"""The money after selection on the staff dashboard (docs/domain.md, After selection and
Outcomes and indicators): granted, committed and paid per programme, call and year, the share
of each call's envelope granted, and the days from selection to signature and from payment
request to payment, each against a count by hand of the same files."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from adn_portal.lib.banking import structured_communication
from applications.models import Application, Payment, PaymentRequest
from applications.workflow import Status
from stats import dashboards, services
from stats.models import SnapshotRun
from stats.selectors import latest_snapshot
from tests.auth import login_staff
from tests.factories import OrganisationFactory
from tests.fixtures.staff import staff

from .dataset import add_file, files_now, money_by_hand, stored_money_figures

pytestmark = pytest.mark.django_db


def run():
    services.snapshot_run(trigger=SnapshotRun.Trigger.MANUAL)
    return latest_snapshot()


def test_every_money_figure_matches_a_count_by_hand(crowded):
    reviewer, organisation = crowded[0].created_by, OrganisationFactory(postcode="5000")
    # A Tremplin IA file of 2025 with a paid advance; an abandoned one whose grant no longer
    # stands (out of granted and of the envelope's share) but whose advance was paid.
    add_file(organisation, "TREMPLIN", 2025, Status.IN_PROGRESS, None, reviewer, "m1", 3,
             money=("25000.00", 11, None, [("advance", "paid", "7500.00", 0)]))  # fmt: skip
    add_file(organisation, "CAP", 2024, Status.ABANDONED, None, reviewer, "m2", 4,
             money=("60000.00", 1.5, None, [("advance", "paid", "30000.00", 8)]))  # fmt: skip
    run()

    expected = money_by_hand(files_now())
    assert stored_money_figures() == expected
    # What the count says, for a reader: Start IA's grants of 2023 (files 0 and 1), the
    # abandoned file's advance paid but not granted, the mean days to a payment.
    assert expected["granted", "programme_year", "START|2023"][0] == Decimal("6875.50")
    assert expected["granted", "programme", "CAP"][0] == 0
    assert expected["paid", "programme", "CAP"][0] == Decimal("30000.00")
    days_to_payment = expected["days_to_payment", "all", "all"]
    assert days_to_payment[0] == 5 and days_to_payment[1:3] == (Decimal("28.00"), 5)


def test_the_next_snapshot_follows_approvals_and_payments_since_the_last(files):
    run()
    approved = PaymentRequest.objects.get(status="approved", instalment="balance")
    approved.status = "paid"
    approved.save(update_fields=["status"])
    Payment.objects.create(
        request=approved,
        amount=approved.approved_amount,
        paid_on=timezone.localtime(approved.submitted_at).date(),
        communication=structured_communication(approved.pk),
        recorded_by=approved.requested_by,
    )
    Application.objects.filter(pk=files[5].pk).update(status=Status.ABANDONED)
    snapshot = run()

    assert stored_money_figures() == money_by_hand(files_now())
    assert snapshot.value("paid", "programme", "TREMPLIN") == Decimal("32000.00")


def test_the_staff_dashboard_shows_the_money_in_the_filters_scope(client, files):
    snapshot = run()
    by_hand = money_by_hand(files_now())
    scope = dashboards.Scope("START", 2024, 2024)
    funding = dashboards.funding(snapshot, scope, call_labels={})

    assert funding["granted"] == by_hand["granted", "programme_year", "START|2024"][0]
    assert funding["paid"] == by_hand["paid", "programme_year", "START|2024"][0]
    days, total, n, _orgs = by_hand["days_to_signature", "programme", "START"]
    assert funding["days_to_signature"] == (days, (total / n).quantize(Decimal("0.01")))
    # Each call of the programme with its envelope and the share of it granted.
    calls = {row["key"]: row for row in funding["calls"]}
    assert {key.split("|")[0] for key in calls} == {"START"}
    call = files[3].call
    row = calls[f"START|{call.pk}"]
    assert row["envelope"] == call.budget_envelope and row["share"] == Decimal("3.75")

    login_staff(client, staff("programme manager", "START"))
    response = client.get(reverse("stats:dashboard"), {"programme": "START"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="funding"' in page and call.label in page
    csv = client.get(reverse("stats:dashboard_csv", args=["funding"]))
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").splitlines()[1].startswith("2023,6875.5,")


def test_the_money_is_never_public(client, files):
    run()
    public = latest_snapshot(public=True)
    assert public.get("granted") is not None and public.get("granted").hidden
    response = client.get(reverse("stats:key_figures"))
    assert response.status_code == 200
    assert 'id="funding"' not in response.content.decode()
    assert client.get(reverse("stats:dashboard")).status_code in (302, 404)
