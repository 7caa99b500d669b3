"""The federal log-in (eID, itsme) end to end, against a real OpenID Provider started locally
(panva's certified oidc-provider: tests/fixtures/oidc.py) and the live portal on PostgreSQL.

An HTTP client plays the browser: it follows the redirects, posts the portal's forms with their
CSRF token and the provider's log-in form, and the tests look at every hop: discovery, the code
flow with PKCE and a nonce, the ID token's signature, the account found or made by a verified
e-mail address, the second factor of staff, and the log-out at the provider."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from adn_portal.accounts.models import User
from tests.factories import UserFactory
from tests.fixtures.oidc import EID_LEVEL, ITSME_LEVEL, PASSWORD, PEOPLE
from tests.fixtures.staff import staff

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOTP_SECRET = "JBSWY3DPEHPK3PXP"
CALLBACK_PATH = "/compte/oidc/federal/login/callback/"


class Browser:
    """A person's browser: cookies kept, redirects followed hop by hop."""

    def __init__(self, portal: str, issuer: str):
        self.portal, self.issuer = portal, issuer
        self.http = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.http.get(urljoin(self.portal, url), allow_redirects=False, timeout=15)

    def post(self, url: str, data: dict) -> requests.Response:
        return self.http.post(urljoin(self.portal, url), data, allow_redirects=False, timeout=15)

    def post_portal_form(self, page: requests.Response, action: str, data=None):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        return self.post(action, {"csrfmiddlewaretoken": token, **(data or {})})

    def follow(self, response: requests.Response, *, within: str) -> requests.Response:
        """Follow the redirects while they stay on `within` (the provider or the portal)."""
        while response.is_redirect and location(response).startswith(within):
            response = self.get(location(response))
        return response

    @property
    def session(self) -> SessionStore:
        return SessionStore(session_key=self.http.cookies[settings.SESSION_COOKIE_NAME])

    def signed_in_as(self) -> str | None:
        key = self.http.cookies.get(settings.SESSION_COOKIE_NAME)
        if not key:
            return None
        user_id = SessionStore(session_key=key).get("_auth_user_id")
        return User.objects.get(pk=user_id).email if user_id else None


def location(response: requests.Response) -> str:
    """Where a redirect goes, as an absolute URL (the provider answers relative ones)."""
    return urljoin(response.url, response.headers["Location"])


@pytest.fixture
def browser(federal_login, live_server):
    return Browser(live_server.url, federal_login.issuer)


def start_login(browser: Browser) -> requests.Response:
    """The portal's log-in page, its federal button pressed: the portal's answer."""
    page = browser.get(reverse("account_login"))
    assert page.status_code == 200
    action = re.search(r'<form method="post" action="([^"]*/oidc/federal/login/[^"]*)"', page.text)
    assert action, "the log-in page shows no federal log-in button"
    return browser.post_portal_form(page, action[1].replace("&amp;", "&"))


def log_in_at_provider(browser: Browser, authorization: str, login: str) -> requests.Response:
    """At the provider: its log-in form filled in; returns its redirect to the portal."""
    form = browser.follow(browser.get(authorization), within=browser.issuer)
    assert form.status_code == 200, form.text
    action = re.search(r'action="(/interaction/[^"]+/login)"', form.text)[1]
    answer = browser.post(urljoin(browser.issuer, action), {"login": login, "password": PASSWORD})
    answer = browser.follow(answer, within=browser.issuer)
    assert answer.is_redirect, answer.text
    return answer


def federal_log_in(browser: Browser, login: str) -> requests.Response:
    """The whole log-in; returns the portal's answer to the provider's redirect."""
    authorization = start_login(browser).headers["Location"]
    back = log_in_at_provider(browser, authorization, login)
    assert location(back).startswith(browser.portal + CALLBACK_PATH)
    return browser.get(location(back))


def totp_code() -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))


# --- the protocol ------------------------------------------------------------------------------


def test_the_authorisation_request_uses_the_discovered_endpoint_pkce_and_a_nonce(browser):
    discovery = requests.get(f"{browser.issuer}/.well-known/openid-configuration", timeout=5)
    assert discovery.status_code == 200

    redirect = start_login(browser)

    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert location.startswith(discovery.json()["authorization_endpoint"] + "?")
    params = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == "adn-portal"
    assert params["redirect_uri"] == browser.portal + CALLBACK_PATH
    assert set(params["scope"].split()) == {"openid", "profile", "email"}
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["nonce"]) >= 32
    assert params["state"]
    assert params["acr_values"] == f"{ITSME_LEVEL} {EID_LEVEL}"  # no log-in by password alone
    # The verifier and the nonce stay in this browser's portal session, with the state.
    stashed = browser.session["socialaccount_states"][params["state"]][0]
    assert stashed["nonce"] == params["nonce"]
    assert stashed["pkce_code_verifier"]


def test_log_in_parameters_of_the_url_are_not_passed_to_the_provider(browser):
    page = browser.get(reverse("account_login"))
    redirect = browser.post_portal_form(
        page,
        "/compte/oidc/federal/login/?process=login"
        "&auth_params=redirect_uri%3Dhttps%3A%2F%2Fevil.example%2F%26nonce%3Dknown"
        "&scope=offline_access",
    )

    assert redirect.status_code == 302
    params = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert params["redirect_uri"] == [browser.portal + CALLBACK_PATH]
    assert params["nonce"] != ["known"]
    assert "offline_access" not in params["scope"][0]


def test_a_new_person_gets_an_account_with_the_verified_address_and_lands_home(browser):
    response = federal_log_in(browser, "new-citizen")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = User.objects.get(email="nouvelle.citoyenne@example.be")
    assert (user.first_name, user.last_name, user.language) == ("Anne", "Nouvelle", "de")
    assert not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("federal", "new-citizen")
    assert account.extra_data["id_token"]["acr"] == PEOPLE["new-citizen"]["acr"]
    assert browser.signed_in_as() == user.email
    home = browser.get("/")
    assert home.status_code == 200
    assert "Anne" in home.text


def test_an_existing_account_is_found_by_the_verified_address_and_linked(browser):
    known = UserFactory(email="known.person@example.be")

    response = federal_log_in(browser, "known-person")

    assert response.status_code == 302
    assert browser.signed_in_as() == known.email
    assert SocialAccount.objects.get(uid="known-person").user == known
    assert User.objects.filter(email="known.person@example.be").count() == 1
    known.refresh_from_db()
    assert known.has_usable_password()  # its address was verified: nothing to fear, kept


def test_an_unverified_address_never_opens_the_account_that_holds_it(browser):
    owner = UserFactory(email="account.owner@example.be")

    response = federal_log_in(browser, "unverified")

    # As for a sign-up with a taken address: "check your e-mail", nothing more said.
    response = browser.follow(response, within=browser.portal)
    assert response.status_code == 200
    assert browser.signed_in_as() is None
    assert not SocialAccount.objects.filter(uid="unverified").exists()
    assert User.objects.filter(email="account.owner@example.be").get() == owner
    owner.refresh_from_db()
    assert owner.has_usable_password()


def test_a_new_person_with_an_unverified_address_must_confirm_it_first(browser):
    response = federal_log_in(browser, "new-unverified")

    response = browser.follow(response, within=browser.portal)
    assert response.status_code == 200
    assert browser.signed_in_as() is None
    user = User.objects.get(email="fresh.unverified@example.be")
    assert not EmailAddress.objects.get(user=user).verified


def test_an_id_token_without_this_log_ins_nonce_is_refused(browser):
    authorization = start_login(browser).headers["Location"]
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    # The browser's stashed nonce is not the one the provider will put in the token: as if the
    # token were replayed from another log-in.
    session = browser.session
    states = session["socialaccount_states"]
    states[state][0]["nonce"] = "a-nonce-of-another-log-in-0123456789abcdef"
    session["socialaccount_states"] = states
    session.save()

    back = log_in_at_provider(browser, authorization, "known-person")
    response = browser.get(location(back))

    assert response.status_code == 401
    assert 'id="federal-login-failed"' in response.text
    assert browser.signed_in_as() is None
    assert not SocialAccount.objects.exists()


def test_an_id_token_signed_with_another_key_is_refused(browser, settings, federal_login):
    # The portal reads the provider's keys from a key set the provider never signed with.
    app = federal_login.app(
        openid_configuration_overrides={"jwks_uri": f"{federal_login.issuer}/forged-jwks"}
    )
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": [app]}
    }

    response = federal_log_in(browser, "new-citizen")

    assert response.status_code == 401
    assert 'id="federal-login-failed"' in response.text
    assert browser.signed_in_as() is None
    assert not User.objects.filter(email="nouvelle.citoyenne@example.be").exists()


def test_the_code_is_useless_without_the_pkce_verifier(browser):
    authorization = start_login(browser).headers["Location"]
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    session = browser.session
    states = session["socialaccount_states"]
    states[state][0]["pkce_code_verifier"] = "x" * 64  # not the one the challenge was made from
    session["socialaccount_states"] = states
    session.save()

    back = log_in_at_provider(browser, authorization, "new-citizen")
    response = browser.get(location(back))

    # The provider's token endpoint refused the code (PKCE is required of every client there).
    assert response.status_code == 401
    assert 'id="federal-login-failed"' in response.text
    assert browser.signed_in_as() is None
    assert not User.objects.filter(email="nouvelle.citoyenne@example.be").exists()


# --- staff and the second factor ---------------------------------------------------------------


def test_a_staff_member_still_types_the_second_factor_after_the_federal_log_in(browser):
    manager = staff("programme manager", "START", email="programme.manager@adn.example.be")
    TOTP.activate(manager, TOTP_SECRET)

    response = federal_log_in(browser, "manager")

    # The eID's assurance level does not stand for the second factor (docs/architecture.md).
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("mfa_authenticate"))
    assert browser.signed_in_as() is None
    assert browser.get(reverse("applications:staff_queue")).status_code == 302

    code_page = browser.get(response.headers["Location"])
    assert code_page.status_code == 200
    done = browser.post_portal_form(code_page, reverse("mfa_authenticate"), {"code": totp_code()})

    assert done.status_code == 302
    assert browser.signed_in_as() == manager.email
    assert browser.get(reverse("applications:staff_queue")).status_code == 200


def test_a_staff_member_without_a_second_factor_gets_no_staff_rights_from_the_eid(browser):
    reviewer = staff("reviewer", "START", email="new.reviewer@adn.example.be")

    response = federal_log_in(browser, "reviewer-without-totp")

    assert response.status_code == 302
    assert browser.signed_in_as() == reviewer.email
    queue = browser.get(reverse("applications:staff_queue"))
    assert queue.status_code == 302
    assert queue.headers["Location"] == reverse("mfa_activate_totp")


# --- log-out -------------------------------------------------------------------------------------


def test_log_out_ends_the_session_at_the_provider_too(browser):
    assert federal_log_in(browser, "new-citizen").status_code == 302
    id_token = browser.session["federal_id_token"]
    home = browser.get("/")

    left = browser.post_portal_form(home, reverse("account_logout"))

    assert left.status_code == 302
    end_session = left.headers["Location"]
    assert end_session.startswith(f"{browser.issuer}/session/end?")
    params = {key: values[0] for key, values in parse_qs(urlsplit(end_session).query).items()}
    assert params == {
        "client_id": "adn-portal",
        "post_logout_redirect_uri": f"{browser.portal}/",
        "id_token_hint": id_token,
    }
    assert browser.signed_in_as() is None
    confirm = browser.get(end_session)
    assert confirm.status_code == 200
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)[1]
    back = browser.post(
        urljoin(browser.issuer, "/session/end/confirm"), {"xsrf": xsrf, "logout": "yes"}
    )
    assert back.status_code in (302, 303)
    assert location(back) == f"{browser.portal}/"

    # The provider's session is over: logging in again asks for the log-in form again.
    authorization = start_login(browser).headers["Location"]
    again = browser.follow(browser.get(authorization), within=browser.issuer)
    assert again.status_code == 200
    assert 'name="password"' in again.text


def test_without_log_out_the_provider_session_would_log_in_silently(browser):
    """The counterpart of the test above: what the log-out at the provider prevents."""
    assert federal_log_in(browser, "new-citizen").status_code == 302
    browser.http.cookies.pop(settings.SESSION_COOKIE_NAME)  # the portal's session only

    authorization = start_login(browser).headers["Location"]
    back = browser.follow(browser.get(authorization), within=browser.issuer)

    assert back.is_redirect
    assert location(back).startswith(browser.portal + CALLBACK_PATH)
