import pytest

from .conftest import assert_styled, shot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_language_switcher_turns_the_home_page_into_english_then_german(page):
    page.goto("/")
    heading = page.locator("main h1")
    assert heading.inner_text() == "L'intelligence artificielle pour votre organisation"

    page.locator(".language-switcher").get_by_role("button", name="EN", exact=True).click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert heading.inner_text() == "Artificial intelligence for your organisation"
    assert_styled(page)
    shot(page, "30-home-en")

    page.locator(".language-switcher").get_by_role("button", name="DE", exact=True).click()
    page.wait_for_function("document.documentElement.lang === 'de'")
    assert heading.inner_text() == "Künstliche Intelligenz für Ihre Organisation"
    shot(page, "31-home-de")

    # The choice is remembered: a new page of the visit stays in German.
    page.goto("/experts/")
    assert page.locator("html").get_attribute("lang") == "de"
