"""The federal log-in's settings and what the portal shows with and without them. The log-in
itself runs against a real OpenID Provider in tests/services/test_federal_login.py."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from adn_portal.lib.openid import federal_provider_from_env, provider_origin

pytestmark = pytest.mark.django_db

ENV = {
    "FEDERAL_AUTH_CLIENT_ID": "adn-portal",
    "FEDERAL_AUTH_SECRET": "s3cret",
    "FEDERAL_AUTH_SERVER_URL": "https://idp.iamfas.belgium.be/fas/oauth2/",
}


@pytest.fixture
def federal_env(monkeypatch):
    for name in [*ENV, "FEDERAL_AUTH_ACR_VALUES", "FEDERAL_AUTH_TOKEN_AUTH_METHOD"]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_its_settings_the_federal_log_in_is_off(federal_env):
    assert federal_provider_from_env() is None
    assert provider_origin(None) == []


def test_the_federal_log_in_is_configured_with_pkce_and_the_userinfo(federal_env):
    for name, value in ENV.items():
        federal_env.setenv(name, value)
    federal_env.setenv(
        "FEDERAL_AUTH_ACR_VALUES",
        "urn:be:fedict:iam:fas:Level450,urn:be:fedict:iam:fas:Level500",
    )

    app = federal_provider_from_env()

    assert app["provider_id"] == "federal"
    assert (app["client_id"], app["secret"]) == ("adn-portal", "s3cret")
    assert app["settings"] == {
        "server_url": "https://idp.iamfas.belgium.be/fas/oauth2",
        "token_auth_method": "client_secret_basic",
        "oauth_pkce_enabled": True,
        "fetch_userinfo": True,
        "auth_params": {
            "acr_values": "urn:be:fedict:iam:fas:Level450 urn:be:fedict:iam:fas:Level500"
        },
    }
    assert provider_origin(app) == ["https://idp.iamfas.belgium.be"]


@pytest.mark.parametrize("missing", sorted(ENV))
def test_a_half_configured_federal_log_in_stops_the_boot(federal_env, missing):
    for name, value in ENV.items():
        if name != missing:
            federal_env.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=missing):
        federal_provider_from_env()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FEDERAL_AUTH_SERVER_URL", "http://idp.example.be/"),
        ("FEDERAL_AUTH_SERVER_URL", "idp.example.be"),
        ("FEDERAL_AUTH_TOKEN_AUTH_METHOD", "none"),
    ],
)
def test_an_unsafe_federal_setting_stops_the_boot(federal_env, name, value):
    for key, setting in ENV.items():
        federal_env.setenv(key, setting)
    federal_env.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=name):
        federal_provider_from_env()


def configure(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [
                {
                    "provider_id": "federal",
                    "name": "eID / itsme",
                    "client_id": "adn-portal",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://idp.example.be"},
                }
            ],
        }
    }


def test_without_the_provider_the_log_in_page_has_no_federal_button(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert "/oidc/federal/login/" not in response.text
    assert 'id="federal-login-title"' not in response.text


def test_without_the_provider_its_log_in_address_does_not_exist(client):
    response = client.post("/compte/oidc/federal/login/")

    assert response.status_code == 404


def test_with_the_provider_the_log_in_page_offers_a_button_that_posts(client, settings):
    configure(settings)

    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert 'id="federal-login-title"' in response.text
    assert '<form method="post" action="/compte/oidc/federal/login/?process=login">' in (
        response.text
    )
