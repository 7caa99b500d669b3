"""allauth's OpenID Connect log-in and callback views, with the checks allauth leaves out.

allauth does not check an ID token's signature when the token came straight from the token
endpoint (OpenID Connect Core 3.1.3.7 allows it over TLS), and sends no nonce. Here every ID
token is checked against the provider's published keys and must carry the nonce of the log-in
it ends; PKCE is always on (provider.py)."""

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404
from django.utils.crypto import constant_time_compare

# The raw ID token of the session's federal log-in: the provider's log-out takes it as a hint.
ID_TOKEN_SESSION_KEY = "federal_id_token"  # noqa: S105 — a session key, not a secret
# Asymmetric signatures only: a symmetric one (HS256) would be made with the client secret,
# and "none" is no signature at all.
SIGNING_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"})


class FederalOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    # Set by the callback view from the log-in's stashed state before the token is fetched.
    expected_nonce: str | None = None

    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The provider answered without an ID token.")
        login = super().complete_login(request, app, token, **kwargs)
        request.session[ID_TOKEN_SESSION_KEY] = id_token
        return login

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            algorithm = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as error:
            raise OAuth2Error("The ID token cannot be read.") from error
        if algorithm not in SIGNING_ALGORITHMS:
            raise OAuth2Error(f"The ID token's signature algorithm {algorithm!r} is refused.")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        nonce = claims.get("nonce")
        if not (
            isinstance(nonce, str)
            and self.expected_nonce
            and constant_time_compare(nonce, self.expected_nonce)
        ):
            # Not the token of the log-in this browser started: a replayed or injected one.
            raise OAuth2Error("The ID token's nonce is not this log-in's.")
        return claims


class FederalCallbackView(OAuth2CallbackView):
    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.expected_nonce = (state or {}).get("nonce")
        return state, response


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(FederalOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request, provider_id):
    try:
        return FederalCallbackView.adapter_view(FederalOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
