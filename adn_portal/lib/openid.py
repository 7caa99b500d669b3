"""The federal authentication service (FAS/CSAM: eID, itsme) as an OpenID Provider, read from
the environment. All three of its settings, or none: a half-configured provider stops the boot
rather than show a log-in button that cannot work."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import env

# The app's id in allauth's URLs: /accounts/oidc/federal/login/callback/ is the redirect URI
# to register with the provider.
FEDERAL_PROVIDER_ID = "federal"
REQUIRED = ("FEDERAL_AUTH_CLIENT_ID", "FEDERAL_AUTH_SECRET", "FEDERAL_AUTH_SERVER_URL")
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def federal_provider_from_env() -> dict | None:
    """allauth's app for the provider (SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
    or None when it is not configured."""
    values = {name: env.str(name, default="").strip() for name in REQUIRED}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(
            f"The federal log-in needs {', '.join(REQUIRED)}; missing: {', '.join(missing)}."
        )
    server_url = values["FEDERAL_AUTH_SERVER_URL"].rstrip("/")
    parts = urlsplit(server_url)
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ImproperlyConfigured(
            f"FEDERAL_AUTH_SERVER_URL={server_url!r} must be an https:// URL (the issuer)."
        )
    token_auth_method = env.str("FEDERAL_AUTH_TOKEN_AUTH_METHOD", default=TOKEN_AUTH_METHODS[0])
    if token_auth_method not in TOKEN_AUTH_METHODS:
        raise ImproperlyConfigured(
            f"FEDERAL_AUTH_TOKEN_AUTH_METHOD={token_auth_method!r}: use one of {TOKEN_AUTH_METHODS}."
        )
    settings = {
        "server_url": server_url,
        "token_auth_method": token_auth_method,
        "oauth_pkce_enabled": True,
        "fetch_userinfo": True,
    }
    # The assurance levels to ask for, e.g. FAS's "urn:be:fedict:iam:fas:Level450" (itsme) and
    # "…Level500" (eID): a lower level (a password) is then not offered to the person.
    acr_values = env.list("FEDERAL_AUTH_ACR_VALUES", default=[])
    if acr_values:
        settings["auth_params"] = {"acr_values": " ".join(acr_values)}
    return {
        "provider_id": FEDERAL_PROVIDER_ID,
        "name": env.str("FEDERAL_AUTH_NAME", default="eID / itsme"),
        "client_id": values["FEDERAL_AUTH_CLIENT_ID"],
        "secret": values["FEDERAL_AUTH_SECRET"],
        "settings": settings,
    }


def provider_origin(app: dict | None) -> list[str]:
    """The provider's origin, for the Content-Security-Policy's form-action: the log-in and
    log-out forms answer with a redirect there, which browsers check against form-action."""
    if app is None:
        return []
    parts = urlsplit(app["settings"]["server_url"])
    return [f"{parts.scheme}://{parts.netloc}"]
