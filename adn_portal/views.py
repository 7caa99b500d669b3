from django.http import HttpResponse
from django.views import defaults

from adn_portal.lib.unavailable import handled_error


def healthz(request):
    """Liveness for the load balancer (and the benchmarks' "hello" baseline): no database."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """handler500: 503 with Retry-After when the database could not be reached (it may be
    restarting: try again), Django's plain 500 page otherwise."""
    return handled_error(request) or defaults.server_error(request)
