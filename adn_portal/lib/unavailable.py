"""A database that cannot be reached (restarting, down, a network cut) answers 503 with
Retry-After instead of 500: the proxy and API clients know they may try again, and people are
told to. Rendered without touching the database: no context processor, no session, no user."""

import sys

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5  # a PostgreSQL restart takes a few seconds
SUPPORTED = {code for code, _name in settings.LANGUAGES}
# SQLSTATE of the server refusing or dropping connections: class 08 (connection exception)
# and the shutdowns (57P01 admin, 57P02 crash, 57P03 "the database system is starting up").
# Not 57014 (a query cancelled by a timeout), nor deadlocks or serialisation failures.
SHUTDOWN_CODES = {"57P01", "57P02", "57P03"}


def database_unreachable(error: BaseException | None) -> bool:
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    code = getattr(error.__cause__, "pgcode", None)  # the server's SQLSTATE (psycopg)
    if code:
        return code.startswith("08") or code in SHUTDOWN_CODES
    # No answer from the server: the connection never opened, or it was lost.
    raw = connections[DEFAULT_DB_ALIAS].connection
    return raw is None or bool(getattr(raw, "closed", False))


def _language(request) -> str:
    """The language middleware's choice without the profile (reading it needs the database):
    Accept-Language for the API, the switcher's cookie for pages, else French."""
    if request.path.startswith("/api/"):
        accepted = translation.get_language_from_request(request)
        if "HTTP_ACCEPT_LANGUAGE" in request.META and accepted in SUPPORTED:
            return accepted
        return settings.LANGUAGE_CODE
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in SUPPORTED else settings.LANGUAGE_CODE


def service_unavailable(request) -> HttpResponse:
    with translation.override(_language(request)):
        message = _(
            "The portal cannot reach its database for a moment. Try again in a few seconds."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "status": 503,
                    "errors": [{"field": None, "code": "service_unavailable", "message": message}],
                },
                status=503,
            )
        else:
            html = loader.get_template("503.html").render({"message": message})
            response = HttpResponse(html, status=503)
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def handled_error(request) -> HttpResponse | None:
    """For handler500: the 503 answer when the error being handled is the database's."""
    if database_unreachable(sys.exc_info()[1]):
        return service_unavailable(request)
    return None
