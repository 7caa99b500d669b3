"""The portal's URLs plus views that fail the way a database does (tests of
adn_portal.lib.unavailable)."""

from django.db import OperationalError, connection
from django.urls import include, path

from adn_portal.wiring.urls import handler500  # noqa: F401 — the portal's, under test


class ServerError(Exception):
    """What psycopg raises, carrying the server's SQLSTATE."""

    def __init__(self, pgcode: str):
        super().__init__(pgcode)
        self.pgcode = pgcode


def failing(request, code: str):
    raise OperationalError(f"SQLSTATE {code}") from ServerError(code)


def broken_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")


urlpatterns = [
    path("requete/", broken_query),
    path("echec/<str:code>/", failing),
    path("api/v1/echec/<str:code>/", failing),
    path("", include("adn_portal.wiring.urls")),
]
