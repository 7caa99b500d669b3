"""The real stack: PostgreSQL, Redis and a live Celery worker process.

Run by `make test-services` (DATABASE_URL and CELERY_BROKER_URL point at the local services).
A missing service is a failure, never a skip: CI must not go green without them."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from adn_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


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


class LiveWorker:
    """A `celery worker` process on its own queue, reading the test database."""

    def __init__(self, queue: str, **extra_env: str):
        self.queue = queue
        self.extra_env = extra_env
        self.name = f"{queue}@localhost"
        self.process: subprocess.Popen | None = None
        self.log_file = None
        self.log = ROOT / "var" / f"{queue}.log"

    def start(self) -> None:
        db = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "adn_portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **self.extra_env,
        }
        self.log.parent.mkdir(exist_ok=True)
        self.log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "adn_portal",
                "worker",
                "--pool=solo",
                "--queues",
                self.queue,
                "--hostname",
                self.name,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log_file.close()
                pytest.fail(
                    f"The Celery worker exited at start-up:\n{self.log.read_text()}", pytrace=False
                )
            if celery_app.control.ping(destination=[self.name], timeout=0.5):
                return
        self.stop()  # no process or open log left behind for the next tests to trip on
        pytest.fail(
            f"The Celery worker did not answer within 30 s:\n{self.log.read_text()}", pytrace=False
        )

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task, without acknowledging it."""
        self.process.kill()
        self.process.wait()
        self.log_file.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log_file:
            self.log_file.close()


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


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
