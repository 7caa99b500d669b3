"""No NUL byte in a query string. PostgreSQL refuses it in text and in JSON: a parameter that
reached a query or a row unchecked (an admin filter, an indicator filter, the filters an
export stores) was a 500 there. Forms refuse it field by field in bodies; for the few body
fields a view reads itself, `posted_text`."""

from django.core.exceptions import BadRequest
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = ProhibitNullCharactersValidator.message  # Django's wording, in its own catalogue


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return _refusal(request, name.replace("\x00", ""))
        return self.get_response(request)


def _refusal(request, field: str):
    message = str(MESSAGE)
    if request.path.startswith("/api/"):
        error = {"field": field, "code": "null_characters_not_allowed", "message": message}
        return JsonResponse({"status": 400, "errors": [error]}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def posted_text(request, name: str, default: str = "") -> str:
    """A posted text field that no form checks (a comment read by the view itself): a NUL in
    it is a 400, as a form field refuses it."""
    value = request.POST.get(name, default)
    if "\x00" in value:
        raise BadRequest(MESSAGE)
    return value


def without_nul(value):
    """Values stored as typed, unchecked (a partial draft), without NUL: lists and objects
    throughout, other values as they are."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value
