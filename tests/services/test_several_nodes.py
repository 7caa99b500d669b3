"""Several nodes, for real: two gunicorn instances behind a local nginx that takes turns between
them, and one Celery worker, on one PostgreSQL, one Redis (broker and cache) and one S3 bucket
(moto's standalone server, standing for MinIO or AWS). Nothing is kept on a node's disk: a
document uploaded through one node downloads from the other, and an export written by the
worker downloads from either.

nginx (Debian's package) and moto's server (the dev extras) missing are failures, never skips:
CI installs both."""

import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.urls import reverse

from applications.models import Application, Attachment, Export
from applications.workflow import Status
from tests.factories import DEFAULT_PASSWORD
from tests.fixtures.applicants import DECLARED, START_STEPS
from tests.fixtures.staff import staff

from .stack import ROOT, LiveWorker, wait_until

# serialized_rollback like every transactional test here: a plain flush re-creates the content
# types under new ids, and the next test's restore of the data migrations then fails.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BUCKET = "adn-nodes-test"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
PDF = b"%PDF-1.4\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code < 500
    except requests.RequestException:
        return False


class Server:
    """A process of the stack, its output in a log file, started and awaited."""

    def __init__(self, name: str, command: list[str], *, log_dir: Path, env: dict | None = None):
        self.name, self.command, self.env = name, command, env
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, ready_url: str) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited at start-up:\n{self.log.read_text()}", False)
            if answers(ready_url):
                return
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"{self.name} did not answer within 60 s:\n{self.log.read_text()}", False)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


NGINX_CONF = """
{user}
daemon off;
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {home}/access.log;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    client_max_body_size 12m;
    # Round robin, nginx's default: one request to each node in turn.
    upstream portal {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_set_header Host $http_host;
            # Which node answered, for the test to see the turns.
            add_header X-Node $upstream_addr always;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if binary is None:
        pytest.fail(
            "nginx is missing: the several-nodes test needs it (Debian: apt-get install nginx).",
            pytrace=False,
        )
    return binary


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """moto's standalone S3 API server on a free port, with the nodes' bucket."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        pytest.fail("moto[server] is missing: pip install -e '.[dev]'.", pytrace=False)
    port = free_port()
    server = Server(
        "moto",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        log_dir=tmp_path_factory.mktemp("moto"),
    )
    endpoint = f"http://127.0.0.1:{port}"
    server.start(f"{endpoint}/moto-api/")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


def keys(client) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.fixture
def stack(nginx_binary, s3_server, broker_queue, tmp_path):
    """Two gunicorn nodes, one worker, nginx in front; yields nginx's address and the bucket."""
    endpoint, client = s3_server
    db = settings.DATABASES["default"]
    local_disk = tmp_path / "media"  # must stay empty: every file goes to the bucket
    shared = {
        "DJANGO_SETTINGS_MODULE": "tests.services.node_settings",
        "CACHE_URL": re.sub(r"/\d*$", "/5", settings.CELERY_BROKER_URL),
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "MEDIA_ROOT": str(local_disk),
    }
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": broker_queue,  # the nodes publish to this test's worker
        **shared,
    }
    worker = LiveWorker(broker_queue, **shared)
    worker.start()
    ports = [free_port(), free_port()]
    nodes = [
        Server(
            f"node-{port}",
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "adn_portal.wsgi:application",
                "-c",
                "python:adn_portal.gunicorn",  # the deployment's gunicorn settings
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
            ],
            log_dir=tmp_path,
            env=env,
        )
        for port in ports
    ]
    home = tmp_path / "nginx"
    home.mkdir()
    proxy_port = free_port()
    (home / "nginx.conf").write_text(
        NGINX_CONF.format(
            # As root, nginx's workers would run as "nobody", who cannot write in tmp_path.
            user="user root;" if os.geteuid() == 0 else "",
            home=home,
            port=proxy_port,
            servers="\n".join(f"        server 127.0.0.1:{port};" for port in ports),
        )
    )
    proxy = Server(
        "nginx",
        [nginx_binary, "-p", str(home), "-c", str(home / "nginx.conf")],
        log_dir=tmp_path,
    )
    try:
        for node, port in zip(nodes, ports, strict=True):
            node.start(f"http://127.0.0.1:{port}/healthz/")
        proxy.start(f"http://127.0.0.1:{proxy_port}/healthz/")
        yield {"url": f"http://127.0.0.1:{proxy_port}", "bucket": client, "disk": local_disk}
    finally:
        for server in (proxy, *nodes):
            server.stop()
        worker.stop()


class Browser:
    """A person's browser through nginx: cookies, the CSRF token, and which node answered."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.nodes: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        if method == "POST":
            if "csrftoken" not in self.session.cookies:
                self.request("GET", reverse("account_login"))  # a form: the CSRF cookie
            data = kwargs.setdefault("data", {})
            data["csrfmiddlewaretoken"] = self.session.cookies["csrftoken"]
        response = self.session.request(
            method, self.base + path, allow_redirects=False, timeout=30, **kwargs
        )
        self.nodes.append(response.headers["X-Node"])
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def log_in(self, user) -> None:
        response = self.post(
            reverse("account_login"), data={"login": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, response.text[:2000]


def totp_code() -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, next(yield_hotp_counters_from_time())))


def pdf(name: str) -> tuple[str, bytes, str]:
    return name, PDF + f"{name} {uuid.uuid4().hex}".encode() + b"0" * 3000, "application/pdf"


def test_an_applicant_and_staff_use_two_nodes_in_turn_and_every_file_lives_in_the_bucket(
    stack, applicant, start_call, expert
):
    manager = staff("programme manager", "START")
    TOTP.activate(manager, TOTP_SECRET)
    browser = Browser(stack["url"])
    browser.log_in(applicant)

    # A draft, its steps, three documents (one removed), the submission: node after node.
    response = browser.post(reverse("applications:start", args=[start_call.slug]))
    assert response.status_code == 302
    application = Application.objects.get(organisation=applicant.organisation)
    steps = {**START_STEPS, "expert": {"expert": str(expert.pk), "availability": "Les mardis."}}
    for slug, values in steps.items():
        application.refresh_from_db()
        response = browser.post(
            reverse("applications:step", args=[application.pk, slug]),
            data={**values, "version": str(application.version), "save_continue": "1"},
        )
        assert response.status_code == 302, (slug, response.text[:2000])
    uploaded = {}
    for name in ("devis.pdf", "annexe.pdf", "brouillon.pdf"):
        upload = pdf(name)
        response = browser.post(
            reverse("applications:attachment_upload", args=[application.pk]),
            data={"kind": "annex"},
            files={"file": upload},
        )
        assert response.status_code == 302, response.text[:2000]
        uploaded[name] = upload[1]
    documents = {d.original_name: d for d in Attachment.objects.filter(application=application)}
    assert set(documents) == set(uploaded)
    assert {f"private/{d.file.name}" for d in documents.values()} <= keys(stack["bucket"])

    draft = documents.pop("brouillon.pdf")
    response = browser.post(
        reverse("applications:attachment_remove", args=[application.pk, draft.pk])
    )
    assert response.status_code == 302
    assert f"private/{draft.file.name}" not in keys(stack["bucket"])  # gone with its row

    response = browser.post(reverse("applications:submit", args=[application.pk]), data=DECLARED)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    # Each document, stored through one node, downloads whole from both.
    for document in documents.values():
        served_by = set()
        for _ in range(2):
            response = browser.get(document.get_absolute_url())
            assert response.status_code == 200
            assert response.content == uploaded[document.original_name]
            assert response.headers["Cache-Control"] == "private, no-store"
            served_by.add(browser.nodes[-1])
        assert len(served_by) == 2

    # Staff, through the real log-in and second factor; the export is written by the worker.
    staff_browser = Browser(stack["url"])
    staff_browser.log_in(manager)
    response = staff_browser.post(reverse("mfa_authenticate"), data={"code": totp_code()})
    assert response.status_code == 302, response.text[:2000]
    response = staff_browser.post(
        reverse("applications:staff_export_create"), data={"format": "csv"}
    )
    assert response.status_code == 302
    export = Export.objects.get(requested_by=manager)
    assert wait_until(
        lambda: Export.objects.get(pk=export.pk).state == Export.State.READY, timeout=60
    ), Export.objects.get(pk=export.pk).error
    export.refresh_from_db()
    assert f"private/{export.file.name}" in keys(stack["bucket"])
    downloads = []
    for _ in range(2):
        response = staff_browser.get(
            reverse("applications:staff_export_download", args=[export.pk])
        )
        assert response.status_code == 200
        assert application.reference in response.content.decode("utf-8-sig")
        downloads.append((staff_browser.nodes[-1], response.content))
    assert downloads[0][0] != downloads[1][0]
    assert downloads[0][1] == downloads[1][1]

    # Every request went to the other node than the one before: no node kept anything.
    for nodes in (browser.nodes, staff_browser.nodes):
        assert len(set(nodes)) == 2
    turns = browser.nodes + staff_browser.nodes
    assert all(a != b for a, b in itertools.pairwise(turns))
    assert not stack["disk"].exists() or not any(stack["disk"].rglob("*"))
