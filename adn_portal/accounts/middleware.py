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
        # The API's messages follow Accept-Language: a shared cache keeps one copy per language.
        api = request.path.startswith("/api/")
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# A staff member's notifications speak of files and programmes: behind the second factor too.
STAFF_PATHS = (
    "/espace-adn/",
    "/gestion/",
    "/api/v1/staff/",
    "/compte/notifications/",
    "/api/v1/me/notification",
)


class SecondFactorMiddleware:
    """Staff rights only for a session that passed the second factor in this log-in.

    Every request of a signed-in user is marked with whether its session passed it; the
    permission checks (`permissions.has_role`, `is_staff_member`, the admin site) read the mark,
    so a staff member signed in with a password alone has an applicant's rights everywhere.
    The staff paths send such a session to its next step: set up TOTP, or type a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.STAFF_TWO_FACTOR_REQUIRED:
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            from .second_factor import second_factor_next_step, session_passed_second_factor

            user.second_factor_missing = not session_passed_second_factor(request, user)
            if user.second_factor_missing and request.path.startswith(STAFF_PATHS):
                from .permissions import holds_staff_rights

                if holds_staff_rights(user):
                    return second_factor_next_step(request, user)
        return self.get_response(request)
