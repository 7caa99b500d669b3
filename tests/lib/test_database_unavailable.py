"""A database that cannot be reached answers 503 with Retry-After, pages and API alike, and
other errors stay 500 (adn_portal.lib.unavailable). With PostgreSQL really out of reach of a
running server: tests/services/test_database_outage.py."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

STARTING_UP = "57P03"  # "the database system is starting up"
ADMIN_SHUTDOWN = "57P01"  # "terminating connection due to administrator command"
CONNECTION_FAILURE = "08006"
DEADLOCK = "40P01"
STATEMENT_TIMEOUT = "57014"


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = "tests.lib.failing_urls"
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("code", [STARTING_UP, ADMIN_SHUTDOWN, CONNECTION_FAILURE])
def test_a_page_whose_database_is_unreachable_answers_503_with_retry_after(
    client, code, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(f"/echec/{code}/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "database" in page or "base de données" in page


def test_the_page_is_in_the_language_the_visitor_chose(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    response = client.get(f"/echec/{STARTING_UP}/")

    assert response.status_code == 503
    assert '<html lang="de">' in response.content.decode()
    assert response["Content-Language"] == "de"


def test_the_api_answers_503_as_structured_json(client):
    response = client.get(f"/api/v1/echec/{ADMIN_SHUTDOWN}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == 503
    assert [e["code"] for e in body["errors"]] == ["service_unavailable"]
    assert "Try again in a few seconds" in body["errors"][0]["message"]


@pytest.mark.parametrize("code", [DEADLOCK, STATEMENT_TIMEOUT])
def test_other_database_errors_stay_500(client, code):
    response = client.get(f"/echec/{code}/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_database_error_on_a_live_connection_stays_500(client):
    """No SQLSTATE (SQLite's "no such table") on an open connection: a fault, not an outage."""
    response = client.get("/requete/")

    assert response.status_code == 500
