from urllib.parse import urlsplit

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from rest_framework import exceptions

from adn_portal.lib.unavailable import handled_error


def healthz(request):
    """Liveness for the load balancer (and the benchmarks' "hello" baseline): no database."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """handler500: 503 with Retry-After when the database could not be reached (it may be
    restarting: try again), Django's plain 500 page otherwise (the error shape on the API)."""
    return (
        handled_error(request)
        or _api_error(request, 500, "server_error", exceptions.APIException.default_detail)
        or defaults.server_error(request)
    )


def bad_request(request, exception):
    """handler400: what Django refuses before a view answers (more than 1,000 parameters, a
    body over the size limit, a disallowed host): the error shape on the API."""
    return _api_error(
        request, 400, "parse_error", exceptions.ParseError.default_detail
    ) or defaults.bad_request(request, exception)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a page that is out of date (its person logged in or
    out since, perhaps in another tab). The portal's own page in the reader's language, with
    the way back to the page (where the application form's script puts typed text back),
    instead of Django's technical one; the API keeps its error shape."""
    return _api_error(request, 403, "csrf_failed", reason or "CSRF") or render(
        request, "403_csrf.html", {"back": _same_site_referer(request)}, status=403
    )


def _same_site_referer(request) -> str:
    """The page the form was sent from, when it is one of this site's; else the address the
    form was sent to (most forms post to their own page)."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and referer.scheme == request.scheme:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return request.path


def _api_error(request, status: int, code: str, message) -> JsonResponse | None:
    if not request.path.startswith("/api/"):
        return None
    error = {"field": None, "code": code, "message": str(message)}
    return JsonResponse({"status": status, "errors": [error]}, status=status)
