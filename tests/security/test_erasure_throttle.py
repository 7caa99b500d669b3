"""The erasure form asks for the password: it is throttled like the log-in (django-axes, per
account and client), so a stolen session cannot be used to guess the password."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from adn_portal.accounts.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HOME_IP, OTHER_IP = "203.0.113.10", "198.51.100.20"


def signed_in(user, ip: str) -> Client:
    browser = Client(REMOTE_ADDR=ip)
    response = browser.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return browser


def erase(browser, password: str):
    return browser.post(reverse("applications:erase_account"), {"password": password})


def test_wrong_passwords_on_the_erasure_form_lock_it_then_even_the_right_one_is_refused():
    user = UserFactory()
    browser = signed_in(user, HOME_IP)

    answers = [erase(browser, f"guess-{n}").status_code for n in range(settings.AXES_FAILURE_LIMIT)]
    right = erase(browser, DEFAULT_PASSWORD)

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert right.status_code == 429
    user.refresh_from_db()
    assert user.is_active and user.has_usable_password()
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, user=user)
    assert failed.count() == settings.AXES_FAILURE_LIMIT


def test_wrong_erasure_passwords_count_as_failed_log_ins_for_this_account_and_client():
    user = UserFactory()
    browser = signed_in(user, HOME_IP)
    for n in range(settings.AXES_FAILURE_LIMIT):
        erase(browser, f"guess-{n}")

    same_client = Client(REMOTE_ADDR=HOME_IP).post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    other_client = signed_in(user, OTHER_IP)

    assert same_client.status_code == 429
    # Another client of the same account is not locked out: it may still erase.
    assert erase(other_client, DEFAULT_PASSWORD).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
