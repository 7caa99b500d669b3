from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def preferred_language(request) -> str:
    """French unless the person chose otherwise: their profile when signed in, else the
    language cookie set by the switcher. The browser's Accept-Language is not used on pages:
    the portal is French-first for everyone who has not chosen."""
    if request.path.startswith("/api/"):
        # API callers say what they want in Accept-Language (French unless they do).
        accepted = translation.get_language_from_request(request)
        return (
            accepted
            if accepted in SUPPORTED and "HTTP_ACCEPT_LANGUAGE" in request.META
            else settings.LANGUAGE_CODE
        )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    return settings.LANGUAGE_CODE


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
