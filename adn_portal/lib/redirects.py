"""Where a form sends the user back to: the `next` it carries, when that is a path of this site."""

from django.utils.http import url_has_allowed_host_and_scheme

# Django refuses to redirect to a longer address (DisallowedRedirect, a 400 after the work).
MAX_NEXT_LENGTH = 2000


def safe_next(request, fallback: str) -> str:
    """The request's `next` (the POST body's for a POST, else the query string's) when it is a
    path of this site, else `fallback`. A path only: "//evil.example/" and "https://..." lead
    elsewhere, a control character would break the Location header, and redirect() would take
    a bare word ("0") for the name of a URL pattern."""
    data = request.POST if request.method == "POST" else request.GET
    target = data.get("next", "")
    if (
        target.startswith("/")
        and len(target) <= MAX_NEXT_LENGTH
        and not any(ord(character) < 32 or ord(character) == 127 for character in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
