"""What the real-stack tests share besides their fixtures (conftest.py): the repository's root,
a live Celery worker process, and a wait for a condition."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from adn_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


class LiveWorker:
    """A `celery worker` process on its own queue, reading the test database."""

    def __init__(self, queue: str, *, worker: str = "", **extra_env: str):
        """`worker`: a name of its own, for a second worker on the same queue."""
        self.queue = queue
        self.extra_env = extra_env
        self.name = f"{worker or queue}@localhost"
        self.process: subprocess.Popen | None = None
        self.log_file = None
        self.log = ROOT / "var" / f"{worker or queue}.log"

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


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
