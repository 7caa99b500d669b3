"""Signing in for tests that are not about signing in.

Tests of authentication itself go through the real log-in forms (tests/accounts, tests/security);
the others open a session the quick way and, for staff, record in it the second factor that the
real log-in would have asked for (the same record allauth writes after a TOTP code)."""

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)


def login(client, user) -> None:
    """An applicant's (or any non-staff person's) session."""
    client.force_login(user)


def login_staff(client, user) -> None:
    """A staff session that passed the second factor, as after password + TOTP code."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
