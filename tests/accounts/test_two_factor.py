import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.applications.staff_fixtures import staff
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


def current_code() -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(SECRET, counter))


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client):
    client.force_login(staff("reviewer", "START"))
    for url in (reverse("applications:staff_queue"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")


def test_the_staff_api_refuses_without_two_factor(client):
    client.force_login(staff("programme manager", "START"))
    response = client.get("/api/v1/staff/applications/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "two_factor_required"


def test_applicants_are_not_asked_for_a_second_factor(client):
    client.force_login(UserFactory())
    assert client.get(reverse("applications:my_files")).status_code == 200


def test_with_totp_the_log_in_asks_for_the_code_then_opens_the_back_office(client):
    user = staff("reviewer", "START", email="revue@adn.be")
    TOTP.activate(user, SECRET)
    response = client.post(
        reverse("account_login"), {"login": "revue@adn.be", "password": DEFAULT_PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("applications:staff_queue")).status_code == 200
