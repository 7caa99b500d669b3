from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import Call, CallStatus
from tests.factories import CallFactory

BRUSSELS = ZoneInfo("Europe/Brussels")
pytestmark = pytest.mark.django_db


def test_call_is_upcoming_before_it_opens_then_open_then_closed_at_its_deadline():
    opens = datetime(2026, 3, 1, 9, 0, tzinfo=BRUSSELS)
    closes = datetime(2026, 4, 30, 12, 0, tzinfo=BRUSSELS)
    call = CallFactory(opens_at=opens, closes_at=closes)

    assert call.status_at(opens - timedelta(seconds=1)) == CallStatus.UPCOMING
    assert call.status_at(opens) == CallStatus.OPEN
    assert call.status_at(closes - timedelta(seconds=1)) == CallStatus.OPEN
    assert call.status_at(closes) == CallStatus.CLOSED


def test_deadline_is_read_in_brussels_time_not_utc():
    # Noon in Brussels in summer is 10:00 UTC.
    call = CallFactory(
        opens_at=datetime(2026, 6, 1, tzinfo=BRUSSELS),
        closes_at=datetime(2026, 7, 1, 12, 0, tzinfo=BRUSSELS),
    )
    utc = ZoneInfo("UTC")
    assert call.is_open_at(datetime(2026, 7, 1, 9, 59, tzinfo=utc))
    assert not call.is_open_at(datetime(2026, 7, 1, 10, 0, tzinfo=utc))


def test_rolling_call_stays_open_with_no_deadline():
    call = CallFactory(closes_at=None)
    assert call.is_rolling
    assert call.status_at(datetime(2099, 1, 1, tzinfo=BRUSSELS)) == CallStatus.OPEN


def test_open_calls_query_agrees_with_each_calls_status():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=BRUSSELS)
    day = timedelta(days=1)
    open_call = CallFactory(opens_at=now - day, closes_at=now + day)
    rolling = CallFactory(opens_at=now - day, closes_at=None)
    CallFactory(opens_at=now + day, closes_at=now + 2 * day)  # upcoming
    CallFactory(opens_at=now - 2 * day, closes_at=now)  # closed exactly now
    CallFactory(opens_at=now - day, closes_at=now + day, is_published=False)

    assert set(Call.objects.open_at(now)) == {open_call, rolling}
    assert all(c.status_at(now) == CallStatus.OPEN for c in Call.objects.open_at(now))


def test_database_refuses_a_call_closing_before_it_opens():
    now = datetime(2026, 5, 1, tzinfo=BRUSSELS)
    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(opens_at=now, closes_at=now - timedelta(hours=1))


def test_database_refuses_a_funding_rate_above_100_percent():
    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(funding_rate=120)


def test_validation_explains_a_deadline_before_the_opening_in_french():
    now = datetime(2026, 5, 1, tzinfo=BRUSSELS)
    call = CallFactory.build(opens_at=now, closes_at=now - timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        call.full_clean(exclude=["programme", "slug"])
    assert "L'appel doit se clôturer après son ouverture." in error.value.message_dict["closes_at"]


def test_validation_refuses_unknown_audience_and_duplicate_rules():
    call = CallFactory.build(
        audiences=["sme", "aliens"], eligibility_rules=["walloon_seat", "walloon_seat"]
    )
    with pytest.raises(ValidationError) as error:
        call.full_clean(exclude=["programme", "slug"])
    assert set(error.value.message_dict) >= {"audiences", "eligibility_rules"}
