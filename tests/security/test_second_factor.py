"""Staff rights need the second factor in this session, whatever the entrance; API tokens are
digests, expire and can be revoked; second-factor codes cannot be guessed. Every log-in here
goes through the real forms."""

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adn_portal.accounts.models import ApiToken, AuditEvent
from applications.workflow import Status
from tests.factories import DEFAULT_PASSWORD, CallFactory, UserFactory
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"
STAFF_API = "/api/v1/staff/applications/"


def code_for(secret: str, offset: int = 0) -> str:
    counter = next(yield_hotp_counters_from_time()) + offset
    return format_hotp_value(hotp_value(secret, counter))


def wrong_code(secret: str) -> str:
    right = {code_for(secret, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def with_totp(user):
    TOTP.activate(user, SECRET)
    return user


def password_step(client, user, **extra):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}, **extra
    )


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def staff_doors(client) -> dict[str, int]:
    return {
        url: client.get(url).status_code
        for url in (reverse("applications:staff_queue"), reverse("admin:index"), STAFF_API)
    }


STAFF_KINDS = {
    "reviewer": lambda: staff("reviewer", "START"),
    "programme manager": lambda: staff("programme manager", "START"),
    "administrator": lambda: UserFactory(role="administrator", is_staff=True, is_superuser=True),
}


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_the_admin_log_in_form_does_not_take_a_password_alone(client, kind):
    user = with_totp(STAFF_KINDS[kind]())
    response = client.post(
        reverse("admin:login"), {"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert signed_in_user_id(client) is None
    assert all(status in (302, 401, 403) for status in staff_doors(client).values())


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_a_password_alone_grants_no_staff_right_anywhere(client, kind):
    """Without an authenticator the log-in succeeds as for anybody, but every staff door sends
    the person to set one up, the API refuses, and pages outside the staff paths show nothing
    reserved to staff."""
    user = STAFF_KINDS[kind]()
    file = submitted_file(status=Status.UNDER_REVIEW)
    hidden_call = CallFactory(is_published=False)

    assert password_step(client, user).status_code == 302
    assert signed_in_user_id(client) == str(user.pk)

    for url in (reverse("applications:staff_queue"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    response = client.get(STAFF_API)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "two_factor_required"
    assert client.get(reverse("programs:call_detail", args=[hidden_call.slug])).status_code == 404
    response = client.post(
        reverse("applications:staff_application_transition", args=[file.pk]),
        {"to": Status.REJECTED, "comment": "Non."},
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == Status.UNDER_REVIEW


def test_a_staff_member_with_totp_reaches_the_back_office_only_after_the_code(client):
    user = with_totp(staff("programme manager", "START"))

    response = password_step(client, user)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(SECRET)})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert staff_doors(client) == {
        reverse("applications:staff_queue"): 200,
        reverse("admin:index"): 200,
        STAFF_API: 200,
    }


# allauth announces the new device after commit; serialized_rollback keeps the data migrations
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_setting_up_totp_in_the_session_opens_the_back_office(client):
    user = staff("reviewer", "START")
    password_step(client, user)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302  # allauth asks for the password again first
    response = client.post(response.url, {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("applications:staff_queue")).status_code == 200


def test_a_password_reset_then_log_in_still_asks_for_the_code(
    client, django_capture_on_commit_callbacks
):
    user = with_totp(staff("reviewer", "START"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/compte/password/reset/key/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    new_password = "another-horse-battery-43"
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert client.get(reverse("applications:staff_queue")).status_code == 302

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": new_password}
    )
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None


def test_a_session_without_the_code_steps_up_with_it_on_a_staff_page(client):
    """A staff member with TOTP whose session lacks the code (e.g. signed in by e-mail
    confirmation) is asked for it on the staff pages, then goes where they were going."""
    user = with_totp(staff("reviewer", "START"))
    client.force_login(user)  # a session opened without the code, whatever the way in
    response = client.get(reverse("applications:staff_queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))

    response = client.post(response.url, {"code": code_for(SECRET)})
    assert response.status_code == 302
    assert response.url == reverse("applications:staff_queue")
    assert client.get(reverse("applications:staff_queue")).status_code == 200


# Guessing codes


def test_wrong_codes_are_limited_per_account_and_audited(client):
    user = with_totp(staff("reviewer", "START"))
    password_step(client, user)
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(SECRET)})
        assert response.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert "Trop de tentatives" in response.content.decode()

    # The same account from another client is blocked too: the limit is the account's.
    other = Client(REMOTE_ADDR="203.0.113.9")
    password_step(other, user, REMOTE_ADDR="203.0.113.9")
    response = other.post(
        reverse("mfa_authenticate"), {"code": code_for(SECRET)}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    assert signed_in_user_id(other) is None

    events = AuditEvent.objects.filter(user=user)
    assert events.filter(action=AuditEvent.Action.SECOND_FACTOR_FAILED).count() == 5
    assert events.filter(action=AuditEvent.Action.SECOND_FACTOR_THROTTLED).count() == 2


def test_wrong_recovery_codes_count_against_the_same_limit(client):
    user = with_totp(staff("reviewer", "START"))
    recovery = RecoveryCodes.activate(user)
    good_recovery_code = recovery.get_unused_codes()[0]
    password_step(client, user)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "12345678"})
    response = client.post(reverse("mfa_authenticate"), {"code": good_recovery_code})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_wrong_codes_are_limited_per_client_across_accounts(client):
    """One client trying codes on many accounts is stopped too (10 a minute)."""
    users = [with_totp(staff("reviewer", "START")) for _ in range(4)]
    for user in users[:3]:
        client.logout()
        password_step(client, user)
        for _ in range(4 if user is not users[2] else 2):
            client.post(reverse("mfa_authenticate"), {"code": wrong_code(SECRET)})
    client.logout()
    password_step(client, users[3])
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert signed_in_user_id(client) is None

    elsewhere = Client()
    password_step(elsewhere, users[3], REMOTE_ADDR="198.51.100.7")
    response = elsewhere.post(
        reverse("mfa_authenticate"), {"code": code_for(SECRET)}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    assert signed_in_user_id(elsewhere) == str(users[3].pk)


# Secrets at rest


def test_totp_seeds_are_stored_encrypted_and_the_admin_does_not_show_them(client):
    admin = with_totp(
        UserFactory(role="administrator", is_staff=True, is_superuser=True, email="a@adn.be")
    )
    authenticator = Authenticator.objects.get(user=admin, type=Authenticator.Type.TOTP)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        (raw,) = cursor.fetchone()
    assert SECRET not in raw

    password_step(client, admin)
    client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert authenticator.data["secret"] not in page.content.decode()


# API tokens


def signed_in_staff(client, user):
    with_totp(user)
    password_step(client, user)
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302
    return user


def create_token(client, name="Mon script") -> str:
    response = client.post(reverse("api_tokens"), {"name": name})
    assert response.status_code == 200
    assert response.headers["Cache-Control"].count("no-store") == 1
    return re.search(r'id="new-token">([0-9a-f]{64})<', response.content.decode()).group(1)


def api_status(token: str, url: str = STAFF_API) -> int:
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_a_staff_token_is_made_after_the_second_factor_and_expires(client):
    user = staff("reviewer", "START")
    password_step(client, user)  # no authenticator yet: the token page sends to set-up
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")

    client.logout()
    signed_in_staff(client, user)
    token = create_token(client)
    assert api_status(token) == 200

    stored = ApiToken.objects.get(user=user)
    assert stored.second_factor
    assert token not in {stored.digest, stored.token_key}
    assert timedelta(hours=11) < stored.expiry - timezone.now() <= timedelta(hours=12)

    ApiToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api_status(token) == 401


def test_a_staff_member_without_a_session_token_has_no_staff_rights_through_the_api(client):
    """A token not made after the second factor (e.g. made as an applicant, before becoming
    staff) reaches the applicant's endpoints only."""
    user = staff("reviewer", "START")
    _token, secret = ApiToken.objects.create(user, name="ancien", second_factor=False)
    assert api_status(secret) == 404  # as for any applicant: staff endpoints are not shown
    assert api_status(secret, "/api/v1/applications/") == 200


def test_the_owner_and_an_administrator_can_revoke_a_token(client):
    user = signed_in_staff(client, staff("reviewer", "START"))
    first, second = create_token(client, "un"), create_token(client, "deux")

    tokens = ApiToken.objects.filter(user=user)
    response = client.post(reverse("api_tokens"), {"revoke": tokens.get(name="un").digest})
    assert response.status_code == 302
    assert api_status(first) == 401
    assert api_status(second) == 200

    administrator = Client()
    signed_in_staff(
        administrator,
        UserFactory(role="administrator", is_staff=True, is_superuser=True),
    )
    listing = administrator.get(reverse("admin:accounts_apitoken_changelist"))
    assert listing.status_code == 200
    assert second not in listing.content.decode()
    target = tokens.get(name="deux")
    response = administrator.post(
        reverse("admin:accounts_apitoken_delete", args=[target.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert api_status(second) == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED).count() == 2


def test_changing_the_password_revokes_the_tokens(client):
    user = UserFactory()
    password_step(client, user)
    token = create_token(client)
    assert api_status(token, "/api/v1/applications/") == 200
    new_password = "another-horse-battery-43"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert api_status(token, "/api/v1/applications/") == 401


def test_an_applicant_token_is_stored_as_a_digest_and_lasts_a_year(client):
    user = UserFactory()
    password_step(client, user)
    token = create_token(client)
    stored = ApiToken.objects.get(user=user)
    assert not stored.second_factor
    assert stored.digest != token
    assert timedelta(days=364) < stored.expiry - timezone.now() <= timedelta(days=365)


@pytest.mark.parametrize(
    "header", ["Token é", "Token \u0663\u0663\u0663", "Token " + "a" * 5000, "Token a b"]
)
def test_odd_tokens_are_refused_not_a_server_error(header):
    response = Client().get("/api/v1/applications/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_the_token_command_refuses_staff_outside_the_demo(settings):
    user = staff("reviewer", "START")
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("api_token", user.email)
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_role_or_programme_taken_away_counts_from_the_next_request(client):
    """The roles and programmes come with the session's user, read afresh on each request:
    nothing about rights outlives the request that read it."""
    from django.contrib.auth.models import Group

    from programs.models import ProgrammeStaff

    reviewer = with_totp(staff("reviewer", "START"))
    application = submitted_file(status=Status.ELIGIBILITY_CHECK)
    page = reverse("applications:staff_application", args=[application.pk])
    password_step(client, reviewer)
    client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert client.get(page).status_code == 200
    ProgrammeStaff.objects.filter(user=reviewer).delete()
    assert client.get(page).status_code == 404  # no longer works on the file's programme
    assert client.get(reverse("applications:staff_queue")).status_code == 200
    reviewer.groups.remove(Group.objects.get(name="reviewer"))
    assert client.get(reverse("applications:staff_queue")).status_code == 404
