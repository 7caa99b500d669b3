"""Writing the audit log. Authentication events arrive through Django's auth signals (they are
records, not business rules); the rest is called where it happens."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from adn_portal.lib.client import client_address

from .models import AuditEvent


def client_ip(request) -> str | None:
    # Resolved once per request from the socket and the trusted proxies (adn_portal.lib.client).
    return client_address(request) if request is not None else None


def audit(action: str, *, request=None, user=None, **details) -> AuditEvent:
    if (
        user is None
        and request is not None
        and getattr(request, "user", None)
        and request.user.is_authenticated
    ):
        user = request.user
    return AuditEvent.objects.create(
        action=action,
        user=user,
        ip=client_ip(request),
        path=(request.path[:255] if request else ""),
        details=details,
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(AuditEvent.Action.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    audit(AuditEvent.Action.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Never the password; the address tried, to spot attacks on one account.
    tried = (
        credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    )
    audit(AuditEvent.Action.LOGIN_FAILED, request=request, tried=str(tried)[:254])


def axes_username(request, credentials) -> str:
    """The address a log-in attempt is for: allauth passes it as "email", its form as "login"."""
    if credentials:
        value = credentials.get("email") or credentials.get("login") or credentials.get("username")
        if value:
            return str(value).lower()
    return str(request.POST.get("login", "")).lower() if request is not None else ""
