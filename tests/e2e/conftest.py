"""Browser tests: headless Chromium, driven by Playwright, against pytest-django's live server.

Debian's chromium is launched (never a browser downloaded by Playwright). The live server runs
in a thread of this process and serves the static files itself (pytest-django hands it
staticfiles' handler), so pages load their CSS and JavaScript as in production."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .browser import shot

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    """Every test of this folder is a browser test: `make test` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture(scope="session")
def playwright():
    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django
    # refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation). The
    # test's own queries (factories, assertions, the database flush) are plain synchronous
    # code, so the guard is lifted, for the browser tests only and only while Playwright
    # runs (not when this file is imported: `make test` collects it too).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            yield playwright


@pytest.fixture(scope="session")
def live_server(playwright, django_db_setup, live_server):
    """pytest-django's live server, started after Playwright and the test database.

    With a running event loop, Django keeps a thread's database connections per asyncio
    context, not per thread: a test database set up before Playwright started would hold
    its connection (and its serialized copy for `serialized_rollback`) where the tests no
    longer see it. And a server started before the test database exists would see the
    SQLite file's name rather than the in-memory test database's, so would not share the
    test's connection: each request thread would open (and leak) one of its own."""
    return live_server


@pytest.fixture(scope="session")
def browser(playwright, live_server):
    """Debian's Chromium. It needs the live server so as to close before the server stops:
    its keep-alive connections then end while the server still shares its connection."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (Debian's package)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser profile per test, asking for English (Accept-Language: en-US) like
    Chromium's default: the portal must still answer in French until the person chooses.
    Fails the test if a page throws a JavaScript error or a static file is refused."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.url.startswith(live_server.url + "/static/")
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    yield page
    if getattr(request.node, "e2e_failed", False):
        shot(page, f"FAILED-{request.node.name}")
    context.close()
    assert not problems, problems
