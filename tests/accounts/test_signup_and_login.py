import re
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from adn_portal.accounts.models import User
from adn_portal.accounts.roles import Role
from adn_portal.mailer.models import OutgoingEmail
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Julie",
    "last_name": "Dupont",
    "email": "julie@pme-liege.be",
    "password1": "un-mot-de-passe-solide-42",
    "password2": "un-mot-de-passe-solide-42",
    "language": "fr",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://testserver(/compte/confirm-email/[^/\s]+/)", message.body).group(1)


def field_error(page: str, field: str) -> str:
    match = re.search(rf'id="error_1_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', page, re.S)
    return match.group(1).strip() if match else ""


def sign_up(client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), {**SIGNUP, **changes})


def test_signup_sends_a_verification_email_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get(email="julie@pme-liege.be")
    assert (user.first_name, user.last_name, user.language) == ("Julie", "Dupont", "fr")
    outgoing = OutgoingEmail.objects.get(to="julie@pme-liege.be")
    assert outgoing.sent_at is not None
    assert len(mail.outbox) == 1
    assert "/compte/confirm-email/" in mail.outbox[0].body


def test_account_is_usable_only_after_the_email_is_verified(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
        )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = confirmation_link(mail.outbox[-1])
    assert "Confirmer" in client.get(link).content.decode()
    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.session["_auth_user_id"] == str(User.objects.get(email=SIGNUP["email"]).pk)


def test_signup_errors_are_shown_next_to_the_fields_in_french(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="deja@pme.be")
    response = sign_up(
        client,
        django_capture_on_commit_callbacks,
        email="deja@pme.be",
        password2="autre-chose-99",
        first_name="",
    )

    page = response.content.decode()
    assert response.status_code == 200
    # Each message sits in the feedback element of its own field.
    assert field_error(page, "first_name") == "Ce champ est obligatoire."
    assert field_error(page, "password2") == "Vous devez saisir deux fois le même mot de passe."
    assert OutgoingEmail.objects.count() == 0


def test_signup_refuses_an_invalid_email_and_a_weak_password(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(
        client,
        django_capture_on_commit_callbacks,
        email="pas-un-email",
        password1="123",
        password2="123",
    )
    page = response.content.decode()
    assert "Saisissez une adresse e-mail valide." in page
    assert "Ce mot de passe est trop court." in page
    assert not User.objects.exists()


def test_wrong_password_gives_a_clear_french_message(client):
    UserFactory(email="julie@pme.be")
    response = client.post(
        reverse("account_login"), {"login": "julie@pme.be", "password": "mauvais"}
    )
    assert response.status_code == 200
    assert "L\u2019adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_verified_user_logs_in_and_out(client):
    UserFactory(email="julie@pme.be")
    response = client.post(
        reverse("account_login"), {"login": "julie@pme.be", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_expired_verification_link_explains_what_to_do(
    client, django_capture_on_commit_callbacks, settings
):
    sign_up(client, django_capture_on_commit_callbacks)
    link = confirmation_link(mail.outbox[-1])
    later = time.time() + (settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS + 1) * 86400

    with mock.patch("time.time", return_value=later):
        response = client.get(link)

    page = response.content.decode()
    assert "Ce lien de confirmation d'adresse e-mail a expiré ou n'est pas valide." in page
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="connue@pme.be")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "connue@pme.be"})
        unknown = client.post(reverse("account_reset_password"), {"email": "inconnue@pme.be"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    reset_emails = [m.to for m in mail.outbox if "mot de passe" in m.subject.lower()]
    assert reset_emails == [["connue@pme.be"]]


def test_password_reset_link_lets_the_user_choose_a_new_password(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="connue@pme.be")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "connue@pme.be"})
    link = re.search(
        r"https?://testserver(/compte/password/reset/key/\S+/)", mail.outbox[-1].body
    ).group(1)
    form_url = client.get(link).url  # allauth hides the key behind a redirect
    response = client.post(
        form_url, {"password1": "nouveau-secret-2026", "password2": "nouveau-secret-2026"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="connue@pme.be").check_password("nouveau-secret-2026")


def test_staff_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    manager = Group.objects.get(name=Role.PROGRAMME_MANAGER)
    assert manager.permissions.filter(codename="change_call").exists()
    assert (
        not Group.objects.get(name=Role.REVIEWER)
        .permissions.filter(codename="change_call")
        .exists()
    )
