"""API tokens: created from a signed-in session, shown once, stored as digests (django-rest-knox),
expiring, revocable by their owner and by an administrator. Staff rights travel with a token
only when the session that made it had passed the second factor."""

from datetime import timedelta

from allauth.account.signals import password_changed, password_reset, password_set
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

from .audit import audit
from .models import ApiToken, AuditEvent, User
from .permissions import holds_staff_rights


class TokenError(Exception):
    pass


def api_token_lifetime(user: User) -> timedelta:
    if holds_staff_rights(user):
        return timedelta(hours=settings.STAFF_API_TOKEN_HOURS)
    return timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, second_factor: bool, request=None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is not stored anywhere."""
    if holds_staff_rights(user) and not second_factor:
        raise TokenError(_("A staff token needs a session that passed two-factor authentication."))
    # Lock the account's row: two requests at once must not both pass the count.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).count() >= settings.API_TOKENS_PER_USER:
        raise TokenError(_("You have too many API tokens: revoke one first."))
    token, secret = ApiToken.objects.create(
        user, expiry=api_token_lifetime(user), name=name, second_factor=second_factor
    )
    audit(
        AuditEvent.Action.TOKEN_CREATED,
        request=request,
        user=user,
        token=token.token_key,
        second_factor=second_factor,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, request=None) -> None:
    audit(
        AuditEvent.Action.TOKEN_REVOKED,
        request=request,
        user=by,
        token=token.token_key,
        owner=token.user_id,
    )
    token.delete()


@receiver([password_changed, password_set, password_reset])
def _new_password_revokes_tokens(sender, request, user, **kwargs):
    # Whoever changes a password after a leak expects the old keys to stop working too.
    ApiToken.objects.filter(user=user).delete()


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, plus: a token not made after the second factor carries no staff
    rights, and a token that is not plain ASCII is refused (not a 500)."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except UnicodeError:  # a header the test client or a proxy let through undecoded
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user, api_token = super().authenticate_credentials(token)
        user.second_factor_missing = not api_token.second_factor
        return user, api_token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema's description of the header (`Authorization: Token …`)."""

    target_class = "adn_portal.accounts.tokens.TokenAuthentication"
    name = "tokenAuth"
