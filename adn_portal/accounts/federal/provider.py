"""allauth's OpenID Connect provider, held to PKCE and a nonce on every log-in."""

from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.utils.crypto import get_random_string

from .views import FederalOAuth2Adapter


class FederalProvider(OpenIDConnectProvider):
    oauth2_adapter_class = FederalOAuth2Adapter
    pkce_enabled_default = True

    def get_pkce_params(self) -> dict:
        # Always, whatever an app's settings say: a stolen code is useless without the verifier.
        return generate_code_challenge()

    # allauth merges ?auth_params= and ?scope= of the log-in URL into the authorisation request
    # (a redirect_uri, a response_type…): only the configured ones are sent.
    def get_auth_params_from_request(self, request, action) -> dict:
        return self.get_auth_params()

    def get_scope_from_request(self, request) -> list:
        return self.get_scope()

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # The nonce is stashed with the log-in's state (next to the PKCE verifier): the callback
        # accepts only an ID token that carries it (views.FederalOAuth2Adapter).
        nonce = get_random_string(43)
        auth_params = {
            **(kwargs.pop("auth_params", None) or self.get_auth_params()),
            "nonce": nonce,
        }
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


provider_classes = [FederalProvider]
