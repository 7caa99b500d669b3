"""Dates are written in each language's own way: German puts a period after the day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(
    ("language", "written"),
    [("de", "29. Januar 2027"), ("fr", "29 janvier 2027"), ("en", "29 January 2027")],
)
def test_a_calls_deadline_is_written_as_its_language_writes_dates(client, language, written):
    call = CallFactory(
        opens_at=datetime(2026, 1, 5, 9, tzinfo=BRUSSELS),
        closes_at=datetime(2027, 1, 29, 12, tzinfo=BRUSSELS),
    )
    client.cookies["adn_language"] = language
    response = client.get(call.get_absolute_url())
    assert response.status_code == 200
    assert written in response.content.decode()
