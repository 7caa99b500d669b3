"""What a selected file is granted: what it needs, never more than the call's ceiling per file."""

from decimal import Decimal

import pytest

from applications import services
from applications.workflow import Status
from tests.fixtures.staff import review, scored_call, staff, submitted_file

pytestmark = pytest.mark.django_db


def select(application):
    reviewer = staff("reviewer", "START")
    review(application, reviewer, 4)
    return services.application_decide(
        application=application,
        decision=Status.SELECTED,
        by=staff("programme manager", "START"),
    )


def test_a_request_above_a_ceiling_lowered_since_submission_is_granted_the_ceiling():
    call = scored_call(ceiling_per_file=Decimal("8000"))
    application = submitted_file(call, status=Status.UNDER_REVIEW, amount_requested=Decimal("8000"))
    call.ceiling_per_file = Decimal("5000")
    call.save(update_fields=["ceiling_per_file"])

    application = select(application)

    assert application.status == Status.SELECTED
    assert application.granted_amount == Decimal("5000")


def test_expert_days_worth_more_than_the_ceiling_are_granted_the_ceiling():
    call = scored_call(
        expert_days=10,
        expert_day_rate=Decimal("1000"),
        funding_rate=Decimal("100"),
        ceiling_per_file=Decimal("5000"),
    )
    application = submitted_file(call, status=Status.UNDER_REVIEW)

    application = select(application)

    assert application.granted_amount == Decimal("5000")


def test_the_envelope_counts_the_capped_grant():
    call = scored_call(
        budget_envelope=Decimal("10000"),
        expert_days=10,
        expert_day_rate=Decimal("1000"),
        funding_rate=Decimal("100"),
        ceiling_per_file=Decimal("5000"),
    )
    first, second = (submitted_file(call, status=Status.UNDER_REVIEW) for _ in range(2))

    select(first)
    second = select(second)

    assert second.status == Status.SELECTED  # twice 5,000 fits an envelope of 10,000
