"""Whole public pages from the cache, for visitors who are not signed in.

The page is rendered once with a placeholder where the CSRF token goes (the language switcher
is a POST form), then served from the cache with each visitor's own token put back. The key
carries a version that the code changing the content bumps, so a change shows at once.

Pages are kept in the shared cache (Redis: one rendering for all workers) and, once read, in
the worker's own memory (the "pages" cache): the key names a version that never recurs, so a
local copy cannot go stale, and a hit costs one small read (the version) instead of the page."""

import hashlib
import logging
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from .cache import CacheUnreachable, shared

CSRF_PLACEHOLDER = "csrf-token-placeholder-0f3a9c"
SECONDS = 300


logger = logging.getLogger(__name__)


# The cache only saves work: when it is unreachable the page is computed as if nothing was
# cached, and a failed version bump is logged (entries then expire on their own). The shared
# cache is used without its per-process fallback (adn_portal.lib.cache): a copy kept by one
# worker while Redis is down would miss the other workers' changes.
def _unreachable(message: str, key: str) -> None:
    # Redis down is logged by the backend at most once a minute: one line per page would
    # flood the log.
    if not isinstance(sys.exc_info()[1], CacheUnreachable):
        logger.warning("Cache unreachable: " + message, key, exc_info=True)


def cache_get(key: str, default=None):
    try:
        return shared.get(key, default)
    except Exception:
        _unreachable("%s not read", key)
        return default


def cache_set(key: str, value, seconds: int | None) -> None:
    try:
        shared.set(key, value, seconds)
    except Exception:
        _unreachable("%s not stored", key)


def bump(version_key: str) -> None:
    try:
        try:
            shared.incr(version_key)
        except ValueError:  # not set yet: current_version will start it
            current_version(version_key)
            shared.incr(version_key)
    except Exception:
        # Always said: the pages of this content may show the old one until they expire.
        logger.warning("Cache unreachable: %s not bumped", version_key, exc_info=True)


def current_version(version_key: str) -> int | None:
    """The content's version; started at the clock, so that a version lost with the shared
    cache (a restart) is never handed out again. None when the cache is unreachable."""
    version = cache_get(version_key)
    if version is None:
        try:
            shared.add(version_key, time.time_ns(), timeout=None)
            version = shared.get(version_key)
        except Exception:
            _unreachable("%s not read", version_key)
    return version


def fragment(key: str, render: Callable[[], str | None], seconds: int = SECONDS) -> str | None:
    """Rendered HTML under a key that names its content's version: from this worker's memory,
    else from the shared cache, else rendered (and kept in both; None is not kept)."""
    local = caches["pages"]
    content = local.get(key)
    if content is None:
        content = cache_get(key)
        if content is None:
            content = render()
            if content is None:
                return None
            cache_set(key, content, seconds)
        local.set(key, content, seconds)
    return content


def fragments(
    keys: list[str], render: Callable[[list[int]], list[str | None]], seconds: int = SECONDS
) -> list[str | None]:
    """`fragment` for several keys at once: one read of this worker's memory, one of the
    shared cache for what it lacks, then `render(indices)` renders what neither had (the
    fragments of those keys' indices; None is not kept)."""
    local = caches["pages"]
    found = local.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        try:
            found |= shared.get_many(missing)
        except Exception:
            _unreachable("%s not read", missing[0])
        absent = [n for n, key in enumerate(keys) if key not in found]
        rendered = {keys[n]: content for n, content in zip(absent, render(absent), strict=True)}
        rendered = {key: content for key, content in rendered.items() if content is not None}
        if rendered:
            try:
                shared.set_many(rendered, seconds)
            except Exception:
                _unreachable("%s not stored", missing[0])
        found |= rendered
        local.set_many({key: found[key] for key in missing if key in found}, seconds)
    return [found.get(key) for key in keys]


def cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES  # a pending flash message belongs to one visitor
    )


def serve(
    request,
    *,
    name: str,
    version_key: str,
    render: Callable[[dict], HttpResponse],
    params: frozenset[str] = frozenset(),
    extra: str = "",
) -> HttpResponse:
    """`render(extra_context)` renders the page; it is called only on a cache miss. Only pages
    whose query string holds nothing but the page's own `params` are kept: any other parameter
    (a tracker's, a crawler's random one) would store one more copy of the page per value."""
    if not cacheable(request) or not params.issuperset(request.GET):
        return render({})
    query = hashlib.sha256(urlencode(sorted(request.GET.lists()), doseq=True).encode()).hexdigest()[
        :24
    ]
    version = current_version(version_key)
    if version is None:
        return render({})
    key = f"page:{name}:{version}:{get_language()}:{extra}:{query}"
    rendered = {}

    def page() -> str | None:
        rendered["response"] = render({"csrf_token": CSRF_PLACEHOLDER})
        if rendered["response"].status_code != 200:
            return None  # sent as it is, never kept
        return rendered["response"].content.decode()

    content = fragment(key, page)
    if content is None:
        return rendered["response"]
    response = HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)))
    response["Content-Language"] = get_language()
    return response
