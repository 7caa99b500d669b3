"""The federal log-in in a real browser, against the real OpenID Provider of
tests/fixtures/oidc.py: the button's form and the log-out's answer with a redirect to the
provider, which Chromium checks against the Content-Security-Policy's form-action."""

import re

import pytest
from playwright.sync_api import expect

from adn_portal.accounts.models import User
from tests.fixtures.oidc import PASSWORD

from .browser import shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_person_logs_in_with_the_eid_and_out_of_both_the_portal_and_the_provider(
    page, federal_login, live_server
):
    page.goto("/compte/login/")
    page.locator(".federal-login button[type=submit]").click()

    # At the provider (its own log-in form: the eID's or itsme's in real life).
    expect(page).to_have_url(re.compile(rf"^{re.escape(federal_login.issuer)}/interaction/"))
    page.fill("input[name=login]", "new-citizen")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("header")).to_contain_text("Anne")
    assert User.objects.filter(email="nouvelle.citoyenne@example.be").exists()
    shot(page, "federal-login-home")

    page.locator("header").get_by_role("button", name="Anne").click()
    page.locator("header form[action$='/logout/'] button").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(federal_login.issuer)}/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("header")).not_to_contain_text("Anne")
    # Logging in again asks the provider's form again: its session ended too.
    page.goto("/compte/login/")
    page.locator(".federal-login button[type=submit]").click()
    expect(page.locator("input[name=password]")).to_be_visible()
