"""The real stack: PostgreSQL, Redis and a live Celery worker process.

Run by `make test-services` (DATABASE_URL and CELERY_BROKER_URL point at the local services).
A missing service is a failure, never a skip: CI must not go green without them."""

import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from adn_portal.celery import app as celery_app

from .stack import LiveWorker


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "alone: stops the shared Redis or restarts PostgreSQL: run alone, after the other "
        "services tests and the engine tests (`make test-services`)",
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.services)


@pytest.fixture(scope="session", autouse=True)
def _require_real_services(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.fail(
            f"The services suite needs PostgreSQL (DATABASE_URL), got {connection.vendor!r}.",
            pytrace=False,
        )
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.fail(
            f"The services suite needs Redis as broker (CELERY_BROKER_URL), got {broker!r}.",
            pytrace=False,
        )
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {broker} does not answer: {error}", pytrace=False)


@pytest.fixture
def broker_queue():
    """Send tasks through Redis (not eagerly) to a queue of this test's own."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)


@pytest.fixture
def live_worker(broker_queue):
    worker = LiveWorker(broker_queue)
    worker.start()
    yield worker
    worker.stop()
