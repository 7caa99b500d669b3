"""Proxy headers (issue 15 §3): one client address, resolved from the socket and the trusted
proxies only, for the audit log, the API throttle, django-axes and allauth alike; the forwarded
scheme believed only from a trusted proxy.

Here on SQLite with Django's test client (REMOTE_ADDR is the socket's address); the same through
a real Caddy in tests/services/test_proxy_on_the_real_stack.py."""

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from adn_portal.accounts.models import AuditEvent
from adn_portal.lib.client import ClientAddressMiddleware, resolve
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    """The portal behind a proxy it knows by address (TRUSTED_PROXIES)."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def production_scheme(settings):
    """production.py's https settings."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


def through_proxy(client_address: str) -> Client:
    """A browser at `client_address`, reaching the portal through the proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def log_in(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def resolved(settings, meta: dict, *, proxies=(), count=0) -> tuple[str | None, bool]:
    settings.TRUSTED_PROXIES = list(proxies)
    settings.TRUSTED_PROXY_COUNT = count
    return resolve(meta)


# The audit log and the personal-data export


def test_the_audit_log_records_the_socket_address_whatever_x_forwarded_for_says(client):
    UserFactory(email="cible@pme.be")
    response = client.post(
        reverse("account_login"),
        {"login": "cible@pme.be", "password": "devine"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == "127.0.0.1"


def test_the_audit_log_records_the_client_the_trusted_proxy_names(behind_proxy):
    UserFactory(email="cible@pme.be")
    # The client itself sent "6.6.6.6, 203.0.113.9"; the proxies appended what they saw.
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.3")
    response = log_in(client, "cible@pme.be", "devine")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == "198.51.100.7"


def test_the_personal_data_export_shows_the_resolved_log_in_address(client):
    UserFactory(email="julie@pme.be")
    client.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    assert log_in(client, "julie@pme.be", DEFAULT_PASSWORD).status_code == 302
    response = client.get(reverse("applications:my_data"))
    assert response.status_code == 200
    assert [entry["ip"] for entry in json.loads(response.content)["log_ins"]] == ["127.0.0.1"]


# The API throttle


@pytest.fixture
def three_anonymous_calls_a_minute(monkeypatch):
    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    )


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_api_throttle(
    client, three_anonymous_calls_a_minute
):
    statuses = [
        client.get("/api/v1/calls/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_clients_behind_the_trusted_proxy_are_throttled_each_on_their_own(
    behind_proxy, three_anonymous_calls_a_minute
):
    # The first client rotates a forged address; the proxy appends the one it saw.
    statuses = [
        through_proxy(f"203.0.113.{n}, 198.51.100.1").get("/api/v1/calls/").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert through_proxy("198.51.100.2").get("/api/v1/calls/").status_code == 200


# Lock-out (django-axes) through the real log-in form


def test_failures_from_one_client_behind_the_proxy_do_not_lock_the_account_for_another(
    behind_proxy,
):
    UserFactory(email="gestionnaire@adn.be")
    attacker, colleague = through_proxy("198.51.100.66"), through_proxy("198.51.100.7")
    statuses = [log_in(attacker, "gestionnaire@adn.be", "devine").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # locked out at the fifth

    response = log_in(colleague, "gestionnaire@adn.be", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session
    response = log_in(attacker, "gestionnaire@adn.be", DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_allauth_rate_limits_count_each_client_behind_the_proxy_on_its_own(behind_proxy, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip"}
    busy, other = through_proxy("198.51.100.66"), through_proxy("198.51.100.7")
    url = reverse("account_reset_password")
    statuses = [busy.post(url, {"email": f"personne{n}@pme.be"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert other.post(url, {"email": "julie@pme.be"}).status_code == 302


# The forwarded scheme


def test_a_forged_x_forwarded_proto_is_ignored_without_a_trusted_proxy(client, production_scheme):
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response.url == "https://testserver/"


def test_a_log_in_over_plain_http_with_a_forged_proto_does_not_happen(client, production_scheme):
    UserFactory(email="julie@pme.be")
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "https"
    response = log_in(client, "julie@pme.be", DEFAULT_PASSWORD)
    assert response.status_code == 301
    assert response.url.startswith("https://")
    assert "_auth_user_id" not in client.session


def test_x_forwarded_proto_counts_from_the_trusted_proxy_only(behind_proxy, production_scheme):
    from_proxy = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert from_proxy.get("/").status_code == 200
    from_proxy = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")
    assert from_proxy.get("/").status_code == 301
    direct = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert direct.get("/").status_code == 301


def test_forwarded_headers_from_an_untrusted_peer_are_dropped(behind_proxy):
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="10.0.0.9",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_FORWARDED_PORT="443",
    )
    ClientAddressMiddleware(lambda request: None)(request)
    assert request.META["REMOTE_ADDR"] == "198.51.100.7"
    assert not {key for key in request.META if key.startswith("HTTP_X_FORWARDED_")}


# Resolution rules


def test_without_trusted_proxies_the_socket_address_is_the_client(settings):
    meta = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert resolved(settings, meta) == ("192.0.2.1", False)


def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(settings):
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 10.0.0.3"}
    assert resolved(settings, meta, proxies=["10.0.0.0/24"]) == ("198.51.100.7", True)


def test_a_request_from_an_untrusted_peer_keeps_its_socket_address(settings):
    meta = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert resolved(settings, meta, proxies=["10.0.0.0/24"]) == ("192.0.2.1", False)


def test_a_dual_stack_socket_address_of_a_trusted_proxy_is_recognised(settings):
    meta = {"REMOTE_ADDR": "::ffff:10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert resolved(settings, meta, proxies=["10.0.0.0/24"]) == ("198.51.100.7", True)


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("6.6.6.6, 198.51.100.7", "198.51.100.7"),
        ("", "172.18.0.5"),  # no header: the socket's address
    ],
)
def test_a_proxy_count_takes_the_nth_address_from_the_right(settings, forwarded_for, client):
    meta = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": forwarded_for}
    assert resolved(settings, meta, count=1) == (client, True)


def test_a_proxy_count_larger_than_the_header_falls_back_to_the_socket_address(settings):
    meta = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert resolved(settings, meta, count=2) == ("172.18.0.5", True)
    meta["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 198.51.100.7, 172.18.0.4"
    assert resolved(settings, meta, count=2) == ("198.51.100.7", True)


MALFORMED = [
    "garbage",
    "198.51.100.7:4711",
    "[2001:db8::1]",
    "fe80::1%eth0",
    "\u0661\u0669\u0668.51.100.7",  # 198 in Arabic-Indic digits, which int() accepts
    "198.51.100.7\x00",
    "999.1.1.1",
    ",,,",
    " , ",
    "x" * 5000,
]


@pytest.mark.parametrize("forwarded_for", MALFORMED)
def test_an_unreadable_x_forwarded_for_counts_as_no_header(settings, forwarded_for):
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": forwarded_for}
    assert resolved(settings, meta, proxies=["10.0.0.0/24"]) == ("10.0.0.2", True)
    assert resolved(settings, meta, count=1) == ("10.0.0.2", True)


@pytest.mark.parametrize("forwarded_for", MALFORMED)
def test_an_unreadable_x_forwarded_for_never_breaks_a_page(behind_proxy, forwarded_for):
    UserFactory(email="cible@pme.be")
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert log_in(client, "cible@pme.be", "devine").status_code == 200
    assert client.get("/api/v1/calls/").status_code == 200
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == PROXY
