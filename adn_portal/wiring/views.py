from django.http import HttpResponse, JsonResponse
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


def _api_error(request, status: int, code: str, message) -> JsonResponse | None:
    if not request.path.startswith("/api/"):
        return None
    error = {"field": None, "code": code, "message": str(message)}
    return JsonResponse({"status": status, "errors": [error]}, status=status)
