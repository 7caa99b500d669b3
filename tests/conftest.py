import pytest

from tests.factories import CallFactory, UserFactory

# The fixtures every folder shares (tests/fixtures/): one registration, no conftest imports.
pytest_plugins = ["tests.fixtures.applicants", "tests.fixtures.privacy", "tests.fixtures.oidc"]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture(autouse=True)
def _french_by_default(settings):
    """Tests read pages as a visitor who has chosen nothing: in French."""
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture(autouse=True)
def _empty_cache():
    """allauth's rate limits and the cached pages live in the caches: each test starts with
    none."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests on the seeded demo first (collected last, they were the run's tail): with
    `--dist loadfile --no-loadscope-reorder` (Makefile) one worker starts seeding at once."""
    items.sort(key=lambda item: item.get_closest_marker("seeded_demo") is None)
