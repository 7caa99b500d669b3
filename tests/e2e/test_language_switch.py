import pytest
from playwright.sync_api import expect

from .browser import assert_styled, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_language_switcher_turns_the_home_page_into_english_then_german(page):
    page.goto("/")
    heading = page.locator("main h1")
    switcher = page.locator("header .language-switcher")
    expect(heading).to_have_text("L'intelligence artificielle pour votre organisation")

    switcher.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Artificial intelligence for your organisation")
    expect(switcher.get_by_role("button", name="EN", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_styled(page)
    shot(page, "30-home-en")

    switcher.get_by_role("button", name="DE", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(heading).to_have_text("Künstliche Intelligenz für Ihre Organisation")
    shot(page, "31-home-de")

    # The choice is remembered: the next page of the visit is in German too.
    page.locator("header a[href='/experts/']").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
