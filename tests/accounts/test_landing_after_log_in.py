"""Where people land after logging in through the real forms: staff on their queue of files
(once the second factor is given), applicants where they always did (the home page), and a
page asked for before the log-in (`next`) still wins."""

import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures.staff import staff
from tests.security.test_second_factor import SECRET, code_for, password_step, with_totp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["reviewer", "programme manager"])
def test_staff_land_on_their_queue_after_the_second_factor(client, role):
    user = with_totp(staff(role, "START"))
    assert password_step(client, user).url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302
    assert response.url == reverse("applications:staff_queue")
    assert client.get(response.url).status_code == 200


def test_applicants_still_land_on_the_home_page(client):
    user = UserFactory()
    response = password_step(client, user)
    assert response.status_code == 302
    assert response.url == reverse("programs:home")


def test_a_page_asked_for_before_the_log_in_wins_over_the_queue(client):
    user = with_totp(staff("programme manager", "START"))
    wanted = reverse("applications:staff_exports")
    client.post(
        f"{reverse('account_login')}?next={wanted}",
        {"login": user.email, "password": DEFAULT_PASSWORD, "next": wanted},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302
    assert response.url == wanted
