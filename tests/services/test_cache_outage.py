"""Redis, as the shared cache, stops in the middle of the traffic: the API and the pages keep
answering, throttles and rate limits keep counting (in each process's memory), the log says
so once, and Redis is used again when it is back (adn_portal.lib.cache).

A Redis server of the test's own, on a free port: the shared one on 6379 (the broker of the
other tests) is never stopped."""

import http.client
import logging
import re
import shutil
import socket
import subprocess
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from adn_portal.lib import cache as cache_module
from tests.factories import UserFactory

from .stack import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class RedisServer:
    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing (Debian: apt-get install redis-server)")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, timeout=10), "the test's redis-server did not start"

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def stored_keys(self) -> list[bytes]:
        return redis.Redis.from_url(self.url).keys("*")


@pytest.fixture
def own_redis(settings):
    server = RedisServer()
    server.start()
    # The portal's cache as production configures it (CACHE_URL=redis://…).
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "adn_portal.lib.cache.RedisCache", "LOCATION": server.url},
    }
    yield server
    server.stop()


class Browser:
    def __init__(self, live_server):
        address = urlsplit(live_server.url)
        self.host, self.port = address.hostname, address.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def get(self, path: str) -> int:
        return self.request("GET", path)[0]


def cache_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("adn_portal.lib") and r.levelno >= logging.WARNING
    ]


PAGES = ["/", reverse("companies:expert_directory"), reverse("stats:key_figures")]
API = "/api/v1/calls/"


def test_the_api_and_the_pages_answer_while_redis_is_down_and_the_log_says_so_once(
    own_redis, live_server, caplog
):
    browser = Browser(live_server)
    assert [browser.get(path) for path in [API, *PAGES]] == [200] * 4
    assert own_redis.stored_keys()  # the throttle's history and the pages live in Redis

    own_redis.stop()
    with caplog.at_level(logging.INFO, logger="adn_portal.lib"):
        statuses = [browser.get(API) for _ in range(30)] + [browser.get(p) for p in PAGES * 3]
    assert statuses == [200] * 39
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "Cache unreachable" in warnings[0] and str(own_redis.port) in warnings[0]

    own_redis.start()  # empty: nothing was saved
    time.sleep(cache_module.RETRY_AFTER + 0.1)
    with caplog.at_level(logging.INFO, logger="adn_portal.lib"):
        assert browser.get(API) == 200
    assert any(key.endswith(b"throttle_anon_127.0.0.1") for key in own_redis.stored_keys())
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_the_api_throttle_keeps_counting_while_redis_is_down(own_redis, live_server, monkeypatch):
    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "5/min"}
    )
    own_redis.stop()
    browser = Browser(live_server)

    assert [browser.get(API) for _ in range(6)] == [200] * 5 + [429]


def test_log_ins_are_answered_and_still_rate_limited_while_redis_is_down(
    own_redis, live_server, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    UserFactory(email="julie@pme.be")
    browser = Browser(live_server)
    login = reverse("account_login")
    status, page = browser.request("GET", login)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    own_redis.stop()

    form = {"login": "julie@pme.be", "password": "devine", "csrfmiddlewaretoken": token}
    statuses = [browser.request("POST", login, form=form)[0] for _ in range(3)]

    assert statuses == [200, 200, 429]  # the form with its error twice, then allauth's limit
    assert AccessAttempt.objects.get().failures_since_start == 2  # django-axes: the database
