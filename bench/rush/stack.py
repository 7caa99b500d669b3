"""The stack the applicants meet: gunicorn, a Celery worker and beat under the production
settings (settings.py), as docker-compose.yml starts them, and an SMTP sink that keeps what the
worker sends. Also what the rest of the machine is doing (it is shared)."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from bench.http import production_env
from tests.services.smtp_sink import SmtpSink

from . import BROKER_URL, CACHE_URL, PORT

ROOT = Path(__file__).resolve().parents[2]


class Stack:
    def __init__(self, *, workers: int | None):
        self.sink = SmtpSink(on_message=self._arrived).start()
        self.arrivals: list[float] = []
        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        self.env = {
            **production_env(url),
            "DJANGO_SETTINGS_MODULE": "bench.rush.settings",  # production's, static files aside
            "STATIC_ROOT": str(ROOT / "var" / "rush-static"),
            "CELERY_BROKER_URL": BROKER_URL,
            "CACHE_URL": CACHE_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}",
            # As behind docker-compose's proxy: it names the client in X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
            "MEDIA_ROOT": str(ROOT / "var" / "rush-media"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(ROOT / "var" / "rush-beat-schedule"),
        }
        self.workers = workers
        self.processes: list[subprocess.Popen] = []
        self.logs = []

    def _arrived(self, number: int) -> None:
        self.arrivals.append(time.time())

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        bin_dir = Path(sys.executable).parent
        self._spawn(
            "gunicorn",
            [
                str(bin_dir / "gunicorn"),
                "adn_portal.wsgi:application",
                "-c",
                "python:adn_portal.gunicorn",  # the deployment's settings (docker-compose.yml)
                "-b",
                f"127.0.0.1:{PORT}",
                *(["-w", str(self.workers)] if self.workers else []),
                "--access-logfile",
                "/dev/null",
            ],
        )
        celery = [str(bin_dir / "celery"), "-A", "adn_portal"]
        # docker-compose.yml's worker and beat.
        self._spawn("worker", [*celery, "worker", "--loglevel=WARNING", "--concurrency=2"])
        self._spawn("beat", [*celery, "beat", "--loglevel=WARNING"])
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not answer within 20 s: see var/rush-gunicorn.log")

    def _spawn(self, name: str, command: list[str]) -> None:
        log = (ROOT / "var" / f"rush-{name}.log").open("wb")
        self.logs.append(log)
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        )

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()
        self.sink.stop()

    def received(self) -> list[tuple[str, float]]:
        """(recipient, arrival time) of every message the sink took."""
        out = []
        for message, at in zip(list(self.sink.messages), list(self.arrivals), strict=False):
            match = re.search(rb"^To: (.+?)\r?$", message, re.M)
            out.append((match.group(1).decode() if match else "", at))
        return out


def cpu_busy(seconds: float = 3.0) -> float:
    """Share of the CPU in use over `seconds` (what other jobs take before a round)."""

    def sample():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


class LoadWatch(threading.Thread):
    """The 1-minute load average every 5 s while a round runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(5):
            self.samples.append(os.getloadavg()[0])
