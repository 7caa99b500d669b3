from django.http import HttpResponse


def healthz(request):
    """Liveness for the load balancer (and the benchmarks' "hello" baseline): no database."""
    return HttpResponse("ok", content_type="text/plain")
