"""An id in an API path is any run of digits: one too long for a number (over 4,300 digits,
which int() refuses) is a 404 like any unknown id, never a 500 (issue 15, section 6)."""

import pytest
from django.urls import reverse

from tests.auth import login, login_staff
from tests.factories import UserFactory
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

TOO_LONG = "9" * 5000


def test_reading_a_notification_with_an_id_too_long_is_a_404(client):
    login(client, UserFactory())
    response = client.post(reverse("api:notification-read", args=[TOO_LONG]))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_an_expert_files_conversation_with_an_id_too_long_is_a_404(client):
    login(client, UserFactory())
    url = reverse("api:expert-application-messages", args=[TOO_LONG])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Bonjour"}).status_code == 404


def test_a_staff_file_and_its_conversation_with_an_id_too_long_are_a_404(client):
    login_staff(client, staff("administrator", "TREMPLIN"))
    for url in (
        reverse("api:staff-application-detail", args=[TOO_LONG]),
        reverse("api:staff-application-messages", args=[TOO_LONG]),
    ):
        assert client.get(url).status_code == 404, url
    url = reverse("api:staff-application-messages", args=[TOO_LONG])
    assert client.post(url, {"body": "Bonjour"}).status_code == 404
