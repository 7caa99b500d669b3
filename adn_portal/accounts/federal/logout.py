"""Log-out at the provider too (OpenID Connect RP-Initiated Logout 1.0): a person who logged in
through the federal service and logs out of the portal is sent to the provider's
end_session_endpoint, which ends the provider's session (otherwise the next "log in with eID"
on this browser would go through without asking) and sends them back to the portal."""

import logging

import requests
from allauth.account.authentication import get_authentication_records
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.utils.http import urlencode

from adn_portal.lib.openid import FEDERAL_PROVIDER_ID

from .views import ID_TOKEN_SESSION_KEY

logger = logging.getLogger(__name__)


def came_through_federal_login(request) -> bool:
    user = request.user
    return user.is_authenticated and any(
        record.get("method") == "socialaccount" and record.get("provider") == FEDERAL_PROVIDER_ID
        for record in get_authentication_records(request, user)
    )


def end_session_url(request, *, return_to: str) -> str | None:
    """The provider's log-out URL for this session, or None: the session did not come through
    the federal log-in, the provider is no longer configured, or it has no end_session_endpoint
    (then only the portal's session ends; the provider's lasts until it expires)."""
    if not came_through_federal_login(request):
        return None
    try:
        provider = get_adapter(request).get_provider(request, FEDERAL_PROVIDER_ID)
        endpoint = provider.get_oauth2_adapter(request).openid_config.get("end_session_endpoint")
    except (SocialApp.DoesNotExist, OAuth2Error, requests.RequestException, ValueError):
        logger.warning("Federal log-out: the provider's configuration could not be read.")
        return None
    if not endpoint:
        return None
    params = {"client_id": provider.app.client_id, "post_logout_redirect_uri": return_to}
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
