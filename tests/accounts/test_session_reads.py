"""The session store reads each request's session with a statement of its own
(adn_portal/accounts/sessions.py) and nothing caches it: what a log-in, a second-factor code,
a log-out or an expiry wrote is what the next request reads, in any browser holding the
cookie. Every log-in here goes through the real forms."""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures.staff import staff
from tests.security.test_second_factor import SECRET, code_for

pytestmark = pytest.mark.django_db


def sign_in(client, user) -> None:
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def same_cookie(client) -> Client:
    """Another browser holding the same session cookie (a copied cookie, another tab)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def signed_in(client) -> bool:
    return client.get(reverse("profile")).status_code == 200


def test_a_session_is_read_with_its_user_in_two_queries(client, django_assert_num_queries):
    julie = UserFactory()
    sign_in(client, julie)

    with django_assert_num_queries(2):  # session, user with its unread count
        response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert response.wsgi_request.user == julie


def test_logging_out_ends_the_session_for_every_browser_holding_its_cookie(client):
    julie = UserFactory()
    sign_in(client, julie)
    other = same_cookie(client)
    assert signed_in(other)

    client.post(reverse("account_logout"))

    assert not signed_in(other)
    assert not signed_in(client)


def test_an_expired_session_signs_nobody_in(client):
    julie = UserFactory()
    sign_in(client, julie)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_cookie_from_before_the_code_opens_nothing_once_the_log_in_completes(client):
    manager = staff("programme manager", "START")
    TOTP.activate(manager, SECRET)
    sign_in(client, manager)
    before_the_code = same_cookie(client)

    client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})

    queue = reverse("applications:staff_queue")
    assert client.get(queue).status_code == 200
    response = before_the_code.get(queue)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
