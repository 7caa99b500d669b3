"""Responses that may hold personal data are never kept by a browser or a shared cache."""

from django.utils.cache import patch_cache_control

# allauth's pages: password-reset and confirmation keys travel in their URLs.
PRIVATE_PATHS = ("/compte/",)


class PrivateResponseMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in request, whether by
    session or by API token (DRF puts the token's user on the request), and on every page under
    /compte/. The whole class of personal pages and downloads is covered, present and future;
    anonymous public pages keep their caching (adn_portal.lib.page_cache and the logos)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PATHS) or _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
