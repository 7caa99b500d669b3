"""A staff member's notifications name files and programmes: like the staff pages, they wait
for the second factor of the session (or a token made after it)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from adn_portal.accounts.models import ApiToken, NotificationKind
from adn_portal.accounts.notifications.services import notification_send
from tests.auth import login_staff
from tests.factories import DEFAULT_PASSWORD
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db

TEXT = "New file START-2026-0042 submitted to Start IA"


@pytest.fixture
def manager():
    user = staff("programme manager", "START")
    notification_send(
        recipients=[user], kind=NotificationKind.SUBMISSION, text=TEXT, url="/espace-adn/"
    )
    return user


def test_a_staff_password_alone_does_not_open_the_notifications(client, manager):
    response = client.post(
        reverse("account_login"), {"login": manager.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302

    page = client.get(reverse("notifications:list"))
    api = client.get("/api/v1/me/notifications/")
    preferences = client.get("/api/v1/me/notification-preferences/")

    assert page.status_code == 302 and page.url == reverse("mfa_activate_totp")
    assert api.status_code == 403
    assert api.json()["errors"][0]["code"] == "two_factor_required"
    assert preferences.status_code == 403


def test_a_staff_token_made_without_the_second_factor_does_not_read_them(manager):
    _token, secret = ApiToken.objects.create(manager, name="ancien", second_factor=False)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = api.get("/api/v1/me/notifications/")

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "two_factor_required"


def test_after_the_second_factor_the_staff_member_reads_them(client, manager):
    login_staff(client, manager)

    page = client.get(reverse("notifications:list"))

    assert page.status_code == 200
    assert TEXT in page.content.decode()
