"""The session's user is loaded with its unread notifications counted in the same statement:
the header's badge on every page costs no query of its own, and no counter column is locked
by the transactions that notify (issue 23: every submission notified the programme's managers
and took turns on their rows).

Every signed-in request runs that statement: it is compiled once per process (only the user's
id changes), as compiling the annotated queryset cost the process five times what running it
did."""

from functools import cache

from allauth.account import auth_backends
from django.contrib.auth import backends
from django.db import router

from .models import User

_ANY_ID = -1  # stands for the user's id while the statement is compiled


@cache
def session_user_statement(using: str) -> str:
    sql, params = (
        User.objects.db_manager(using)
        .with_unread_notifications()
        .filter(pk=_ANY_ID)
        .query.sql_with_params()
    )
    if params != (_ANY_ID,):  # the id must be its only parameter
        raise RuntimeError(f"The session user's statement takes {params!r}")
    return sql


class UnreadNotificationsOnLoad:
    def get_user(self, user_id):
        using = router.db_for_read(User)
        user_id = User._meta.pk.to_python(user_id)
        users = User.objects.raw(session_user_statement(using), [user_id], using=using)
        user = next(iter(users), None)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(UnreadNotificationsOnLoad, backends.ModelBackend):
    """Django's, for the log-in form's e-mail and password."""


class AuthenticationBackend(UnreadNotificationsOnLoad, auth_backends.AuthenticationBackend):
    """allauth's, for the sessions it opens itself (sign-up, e-mail confirmation, reset)."""
