"""Whole public pages from the cache, for visitors who are not signed in.

The page is rendered once with a placeholder where the CSRF token goes (the language switcher
is a POST form), then served from the cache with each visitor's own token put back. The key
carries a version that the code changing the content bumps, so a change shows at once."""

import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "csrf-token-placeholder-0f3a9c"
SECONDS = 300


logger = logging.getLogger(__name__)


# The cache only saves work: when it is unreachable the page is computed as if nothing was
# cached, and a failed version bump is logged (entries then expire on their own).
def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:
        logger.warning("Cache unreachable: %s not read", key, exc_info=True)
        return default


def cache_set(key: str, value, seconds: int | None) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("Cache unreachable: %s not stored", key, exc_info=True)


def bump(version_key: str) -> None:
    try:
        try:
            cache.incr(version_key)
        except ValueError:  # not set yet
            cache.set(version_key, 1, timeout=None)
    except Exception:
        logger.warning("Cache unreachable: %s not bumped", version_key, exc_info=True)


def cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES  # a pending flash message belongs to one visitor
    )


def serve(
    request, *, name: str, version_key: str, render: Callable[[dict], HttpResponse], extra: str = ""
) -> HttpResponse:
    """`render(extra_context)` renders the page; it is called only on a cache miss."""
    if not cacheable(request):
        return render({})
    query = hashlib.sha256(urlencode(sorted(request.GET.lists()), doseq=True).encode()).hexdigest()[
        :24
    ]
    key = f"page:{name}:{cache_get(version_key, 0)}:{get_language()}:{extra}:{query}"
    content = cache_get(key)
    if content is None:
        response = render({"csrf_token": CSRF_PLACEHOLDER})
        if response.status_code != 200:
            return response
        content = response.content.decode()
        cache_set(key, content, SECONDS)
    response = HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)))
    response["Content-Language"] = get_language()
    return response
