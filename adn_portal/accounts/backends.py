"""The session's user is loaded with its unread notifications counted in the same statement:
the header's badge on every page costs no query of its own, and no counter column is locked
by the transactions that notify (issue 23: every submission notified the programme's managers
and took turns on their rows)."""

from allauth.account import auth_backends
from django.contrib.auth import backends

from .models import User


class UnreadNotificationsOnLoad:
    def get_user(self, user_id):
        user = User.objects.with_unread_notifications().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(UnreadNotificationsOnLoad, backends.ModelBackend):
    """Django's, for the log-in form's e-mail and password."""


class AuthenticationBackend(UnreadNotificationsOnLoad, auth_backends.AuthenticationBackend):
    """allauth's, for the sessions it opens itself (sign-up, e-mail confirmation, reset)."""
