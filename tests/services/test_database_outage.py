"""PostgreSQL out of reach of a running portal (gunicorn, the test settings): pages and API
answer 503 with Retry-After, never 500, and the same requests succeed once it is back
(adn_portal.lib.unavailable).

The portal reaches PostgreSQL through a TCP door the test opens and closes: closed, new
connections are refused and open ones are cut, as during a restart. The shared PostgreSQL
itself is never stopped."""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading

import pytest
from django.conf import settings

from .stack import ROOT, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Door:
    """A TCP forwarder from a port of its own to PostgreSQL."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def open(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would leave the
        # socket listening until one more connection came in.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # closed
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def door():
    db = settings.DATABASES["default"]
    door = Door(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    door.open()
    yield door
    door.close()


@pytest.fixture
def portal(door, tmp_path):
    """gunicorn serving the portal on the test database, through the door."""
    db = settings.DATABASES["default"]
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "adn_portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{door.port}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "adn_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:

        def answers() -> bool:
            try:
                return request(port, "GET", "/healthz/")[0] == 200
            except OSError:
                return False

        assert wait_until(answers, timeout=30), log.read_text()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def request(port: int, method: str, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


API = "/api/v1/calls/"
PAGE = "/?depuis=test"  # a parameter the page cache does not keep: rendered from the database
SIGNED_IN = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}  # read in a middleware


def test_pages_and_api_answer_503_with_retry_after_while_postgresql_is_out_of_reach(door, portal):
    assert request(portal, "GET", API)[0] == 200
    assert request(portal, "GET", PAGE)[0] == 200

    door.close()
    api_status, api_headers, api_body = request(portal, "GET", API)
    page_status, page_headers, page_body = request(portal, "GET", PAGE)
    session_status, session_headers, _ = request(portal, "GET", "/", SIGNED_IN)

    assert (api_status, page_status, session_status) == (503, 503, 503)
    for headers in (api_headers, page_headers, session_headers):
        assert headers["Retry-After"] == "5"
    assert json.loads(api_body)["status"] == 503
    assert json.loads(api_body)["errors"][0]["code"] == "service_unavailable"
    assert '<html lang="fr">' in page_body

    door.open()  # PostgreSQL is back: the same requests, tried again, succeed
    assert request(portal, "GET", API)[0] == 200
    assert request(portal, "GET", PAGE)[0] == 200
    assert request(portal, "GET", "/", SIGNED_IN)[0] == 200
