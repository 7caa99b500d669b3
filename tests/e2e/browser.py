"""What the browser tests share besides their fixtures (conftest.py): log a user in, take a
screenshot, check that the styles loaded."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.auth import login_staff

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "e2e-screenshots"


def log_in(page, live_server, user) -> None:
    """From now on the browser is `user`: a session opened by the test client, as its cookie
    (for staff, a session that passed the second factor)."""
    client = Client()
    login_staff(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key,
                "url": live_server.url,
            }
        ]
    )


def shot(page, name: str) -> None:
    """A full-page screenshot in var/e2e-screenshots/, to look at what a person sees."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{re.sub(r'[^\w-]+', '-', name)}.png", full_page=True)


def assert_styled(page) -> None:
    """Bootstrap and the portal's stylesheet are applied, and Bootstrap's script is loaded."""
    background = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    assert page.evaluate("typeof window.bootstrap") == "object"
