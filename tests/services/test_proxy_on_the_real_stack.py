"""The deployment's reverse proxy, for real: Caddy runs docker-compose's own Caddyfile in front of
a live portal on PostgreSQL, configured as compose configures its web service
(TRUSTED_PROXY_COUNT=1, production's SECURE_PROXY_SSL_HEADER).

The browser is 127.0.0.7 (loopback, distinct from the proxy's 127.0.0.1). A missing Caddy is a
failure, never a skip: CI installs Debian's package."""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from axes.models import AccessAttempt
from django.core.signals import request_started
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from adn_portal.accounts.models import AuditEvent
from tests.factories import UserFactory

from .stack import ROOT

# The live server needs a transactional database; serialized_rollback like every such test here
# (a plain flush re-creates the content types under new ids and breaks the next restore).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENT = "127.0.0.7"
FORGED = "203.0.113.9"
COMPOSE_CADDYFILE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["configs"][
    "caddyfile"
]["content"]


def caddyfile(*, site_address: str, upstream: str, version: tuple[int, int]) -> str:
    """docker-compose's Caddyfile as compose hands it to Caddy, proxying to `upstream`."""
    # Compose interpolates the config's content: ${NAME:-default} from its environment.
    text = re.sub(
        r"\$\{(\w+):-([^}]*)\}",
        lambda match: {"SITE_ADDRESS": site_address}.get(match[1], match[2]),
        COMPOSE_CADDYFILE,
    )
    # The web containers' addresses are looked up as compose's DNS would give them.
    host, port = upstream.rsplit(":", 1)
    assert text.count("\t\tdynamic a web 8000 {\n") == 1
    text = text.replace("\t\tdynamic a web 8000 {\n", f"\t\tdynamic a {host} {port} {{\n")
    if version < (2, 7):
        # Debian's Caddy 2.6 predates `request_buffers` (2.7; the only spelling since 2.8):
        # the same buffering in 2.6's words.
        text, count = re.subn(
            r"request_buffers (\d+)MB",
            lambda match: f"buffer_requests\n\t\tmax_buffer_size {int(match[1]) * 10**6}",
            text,
        )
        assert count == 1
    # Test only: the local CA's root stays out of this machine's trust store, and no redirect
    # server takes port 80.
    return text.replace("{\n", "{\n\tskip_install_trust\n\tauto_https disable_redirects\n", 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Caddy:
    """`caddy run` on a free port of 127.0.0.1, in front of the live server."""

    def __init__(self, binary: Path, version, home: Path, *, scheme: str, upstream: str):
        self.binary, self.home, self.scheme = binary, home, scheme
        self.port = free_port()
        self.config = home / "Caddyfile"
        self.config.write_text(
            caddyfile(
                site_address=f"{scheme}://127.0.0.1:{self.port}", upstream=upstream, version=version
            )
        )
        self.log = home / "caddy.log"
        self.process = None

    def start(self) -> None:
        env = {
            **os.environ,
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.binary, "run", "--config", str(self.config), "--adapter", "caddyfile"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Caddy exited at start-up:\n{self.log.read_text()}", pytrace=False)
            try:
                self.request("GET", "/__probe__/")
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
        pytest.fail(f"Caddy did not answer within 30 s:\n{self.log.read_text()}", pytrace=False)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def connection(self) -> http.client.HTTPConnection:
        if self.scheme == "http":
            return http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=30, source_address=(CLIENT, 0)
            )
        # Verified against the root of Caddy's own local CA (an IP address gets no public one).
        context = ssl.create_default_context(
            cafile=self.home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        )
        return http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(CLIENT, 0), context=context
        )

    def request(self, method: str, path: str, *, body=None, headers=None):
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def raw_connection(self) -> socket.socket:
        return socket.create_connection(
            ("127.0.0.1", self.port), timeout=30, source_address=(CLIENT, 0)
        )


@pytest.fixture(scope="module")
def caddy_binary() -> tuple[Path, tuple[int, int]]:
    binary = shutil.which("caddy")
    if binary is None:
        pytest.fail(
            "Caddy is missing: the proxy tests need it (Debian: apt-get install caddy).",
            pytrace=False,
        )
    output = subprocess.run(
        [binary, "version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    major, minor = re.match(r"v?(\d+)\.(\d+)", output).groups()
    return Path(binary), (int(major), int(minor))


def _running_caddy(caddy_binary, live_server, home: Path, scheme: str):
    caddy = Caddy(
        *caddy_binary, home, scheme=scheme, upstream=f"127.0.0.1:{live_server.thread.port}"
    )
    caddy.start()
    return caddy


@pytest.fixture(scope="module")
def proxy(caddy_binary, live_server, tmp_path_factory):
    caddy = _running_caddy(caddy_binary, live_server, tmp_path_factory.mktemp("caddy"), "http")
    yield caddy
    caddy.stop()


@pytest.fixture(scope="module")
def tls_proxy(caddy_binary, live_server, tmp_path_factory):
    caddy = _running_caddy(caddy_binary, live_server, tmp_path_factory.mktemp("caddy"), "https")
    yield caddy
    caddy.stop()


@pytest.fixture(autouse=True)
def portal_as_compose_runs_it(settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_COUNT = 1  # docker-compose's web service
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # production.py
    settings.ROOT_URLCONF = "tests.services.proxy_probe_urls"


@pytest.fixture
def reached_portal():
    """The paths of the requests that reached Django, in order."""
    paths = []

    def record(sender, environ, **kwargs):
        paths.append(environ["PATH_INFO"])

    request_started.connect(record, weak=False)
    yield paths
    request_started.disconnect(record)


def read_header_timeout() -> int:
    return int(re.search(r"^\t\t\tread_header (\d+)s$", COMPOSE_CADDYFILE, re.MULTILINE)[1])


def test_the_audit_log_and_the_lock_out_record_the_client_not_a_forged_x_forwarded_for(proxy):
    UserFactory(email="cible@pme.be")
    login = reverse("account_login")
    status, headers, _ = proxy.request("GET", login, headers={"X-Forwarded-For": FORGED})
    assert status == 200
    token = SimpleCookie(", ".join(headers.get_all("Set-Cookie")))["csrftoken"].value
    status, _, _ = proxy.request(
        "POST",
        login,
        body=urlencode(
            {"login": "cible@pme.be", "password": "devine", "csrfmiddlewaretoken": token}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
            "X-Forwarded-For": FORGED,
        },
    )
    assert status == 200  # the form again, with its error
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == CLIENT
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


def test_rotating_x_forwarded_for_through_the_proxy_does_not_escape_the_api_throttle(
    proxy, monkeypatch
):
    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    )
    statuses = [
        proxy.request("GET", "/api/v1/calls/", headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_forged_x_forwarded_proto_does_not_make_the_portal_think_https(proxy):
    status, _, body = proxy.request(
        "GET", "/__probe__/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": FORGED}
    )
    assert status == 200
    assert json.loads(body) == {"client": CLIENT, "secure": False, "body_bytes": 0}


def test_https_at_the_proxy_is_https_for_the_portal(tls_proxy):
    status, _, body = tls_proxy.request("GET", "/__probe__/", headers={"X-Forwarded-Proto": "http"})
    assert status == 200
    assert json.loads(body) == {"client": CLIENT, "secure": True, "body_bytes": 0}


def test_an_oversized_anonymous_body_is_refused_by_the_proxy_without_reaching_the_portal(
    proxy, reached_portal
):
    # The headers alone: the refusal comes before any of the 50 MB is read.
    with proxy.raw_connection() as sock:
        sock.sendall(
            b"POST /compte/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000000\r\n\r\n"
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
    assert response.status == 413
    assert reached_portal == []
    # A document of the largest size the portal accepts, and its form, do get through.
    status, _, body = proxy.request("POST", "/__probe__/", body=b"x" * 11_000_000)
    assert status == 200
    assert json.loads(body)["body_bytes"] == 11_000_000
    assert reached_portal == ["/__probe__/"]


def test_a_slow_upload_reaches_the_portal_only_once_complete(proxy, reached_portal):
    body = b"x" * 100_000
    with proxy.raw_connection() as sock:
        sock.sendall(
            b"POST /__probe__/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body[:50_000])
        )
        time.sleep(1.5)
        assert reached_portal == []  # no gunicorn worker waits on this client
        sock.sendall(body[50_000:])
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = json.loads(response.read())
    assert response.status == 200
    assert answer["body_bytes"] == len(body)
    assert reached_portal == ["/__probe__/"]


def test_a_client_stuck_in_its_headers_is_cut_off_by_the_proxy(proxy, reached_portal):
    with proxy.raw_connection() as sock:
        sock.sendall(b"GET /__probe__/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        started = time.monotonic()
        answer = sock.recv(1024)
        waited = time.monotonic() - started
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer
    assert read_header_timeout() - 1 <= waited <= read_header_timeout() + 5
    assert reached_portal == []
