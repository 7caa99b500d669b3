"""The demo's 2020-today history (`manage.py seed_demo`) lands on AdN's published figures,
and its files move at a pace a programme manager finds plausible: per programme, the time to
a decision and to completion, and how many requests end completed, refused or dropped."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from applications.models import Application
from applications.workflow import Status
from stats.selectors import latest_snapshot

START, TREMPLIN, CAP = "START", "TREMPLIN", "CAP"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for this module (about two minutes) and rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def snapshot(demo, db):
    return latest_snapshot()


@pytest.fixture
def public(demo, db):
    return latest_snapshot(public=True)  # as the key figures page shows it


def test_the_headline_figures_are_those_adn_published(public):
    assert public.value("requests") > 1100
    assert public.value("completed") > 750
    assert public.value("recognised_experts") == 66
    assert round(public.value("investment_multiplier"), 1) == Decimal("2.4")
    assert public.value("request_growth", "year", "2024") == Decimal("2.5")
    assert round(public.value("improved_either") * 100) == 88
    assert round(public.value("recommendation") * 100) == 95


@pytest.mark.parametrize(
    ("programme", "decision", "completion"),
    [
        # A 5-day diagnostic: decided in 2 to 4 weeks, completed within about 2 to 3 months.
        (START, (14, 28), (45, 95)),
        # A pilot: decided in 1 to 3 months, completed in 9 to 15 months.
        (TREMPLIN, (30, 90), (270, 460)),
        # Into production: longer still.
        (CAP, (45, 120), (400, 750)),
    ],
)
def test_each_programme_decides_and_completes_at_a_plausible_pace(
    snapshot, programme, decision, completion
):
    days_to_decision = snapshot.value("days_to_decision", "programme", programme)
    days_to_completion = snapshot.value("days_to_completion", "programme", programme)
    assert decision[0] <= days_to_decision <= decision[1], days_to_decision
    assert completion[0] <= days_to_completion <= completion[1], days_to_completion


@pytest.mark.parametrize(
    ("programme", "completed", "over"),
    [
        (START, (0.70, 0.88), timedelta(days=120)),
        (TREMPLIN, (0.40, 0.65), timedelta(days=500)),
        (CAP, (0.35, 0.60), timedelta(days=800)),
    ],
)
def test_files_long_over_end_completed_refused_or_dropped_in_plausible_shares(
    demo, db, programme, completed, over
):
    """Of the files submitted long enough ago to be over, a share completed well below 100 %,
    the others refused, withdrawn or abandoned; the later programmes select fewer."""
    files = Application.objects.filter(
        programme__code=programme, submitted_at__lt=timezone.now() - over
    )
    ended = dict(files.values_list("status").annotate(n=Count("pk")))
    total = sum(ended.values())
    done = ended.get(Status.COMPLETED, 0) + ended.get(Status.CLOSED, 0)
    assert completed[0] <= done / total <= completed[1], ended
    for status in (Status.REJECTED, Status.INELIGIBLE, Status.WITHDRAWN, Status.ABANDONED):
        assert ended.get(status, 0) > 0, (status, ended)
    # Nothing long over is still waiting for a decision.
    waiting = Q(status__in=[Status.SUBMITTED, Status.ELIGIBILITY_CHECK, Status.UNDER_REVIEW])
    assert not files.filter(waiting).exists()


def test_the_later_programmes_select_fewer_of_their_requests(snapshot):
    start, tremplin, cap = (
        snapshot.value("acceptance", "programme", code) for code in (START, TREMPLIN, CAP)
    )
    assert start > Decimal("0.8") and Decimal("0.5") < tremplin < Decimal("0.75")
    assert cap < tremplin
