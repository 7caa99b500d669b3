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


STAFF_PATHS = ("/espace-adn/", "/gestion/", "/api/v1/staff/")


class StaffTwoFactorMiddleware:
    """Staff pages need two-factor authentication: a staff member without an authenticator is
    sent to set one up (TOTP) before reaching the back office, the admin or the staff API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_TWO_FACTOR_REQUIRED
            and request.path.startswith(STAFF_PATHS)
            and self._needs_setup(request)
        ):
            from django.contrib import messages
            from django.shortcuts import redirect
            from django.utils.translation import gettext as _

            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "status": 403,
                        "errors": [
                            {
                                "field": None,
                                "code": "two_factor_required",
                                "message": _(
                                    "Set up two-factor authentication to use the staff interface."
                                ),
                            }
                        ],
                    },
                    status=403,
                )
            messages.info(
                request, _("For the staff interface, set up two-factor authentication first.")
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _needs_setup(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        from allauth.mfa.models import Authenticator

        from .permissions import STAFF, has_role

        is_staff_member = user.is_staff or has_role(user, *STAFF)
        return (
            is_staff_member
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        )
