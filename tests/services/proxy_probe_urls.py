"""The portal's URLs plus one page that tells what the portal made of a request: the client's
address and whether it counts as https (tests/services/test_proxy_on_the_real_stack.py)."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from adn_portal.wiring.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def probe(request):
    return JsonResponse(
        {
            "client": request.META["REMOTE_ADDR"],
            "secure": request.is_secure(),
            "body_bytes": len(request.read()),  # not .body: no DATA_UPLOAD_MAX_MEMORY_SIZE here
        }
    )


urlpatterns = [path("__probe__/", probe), *portal_urlpatterns]
