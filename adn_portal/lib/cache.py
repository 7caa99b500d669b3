"""Django's Redis cache, shared by every worker, that keeps the portal answering when Redis
does not.

The default cache is read on every request: DRF's throttles, allauth's rate limits and its
one-time codes, the staff menu's counts. Redis unreachable (down, restarting, a network cut)
used to make each of those requests a 500. Now each operation falls back to this process's
memory: throttles and rate limits keep counting, per process (with 3 gunicorn workers a client
gets up to 3 times its rate) until Redis answers again. After a failure Redis is left alone
for RETRY_AFTER seconds, so a dead server costs no connection attempt per request; the log
says it once, then at most once a minute while it lasts, and when Redis is back.

Code that handles the cache's errors itself and would rather compute than keep a copy one
process alone knows (the page cache: another worker's change would not reach it) uses
`shared`: the same cache, raising CacheUnreachable instead of falling back.

One Redis client per connection pool instead of one per call: Django's client builds a new
`redis.Redis` for every get and set, whose constructor fills a table of ~170 reply callbacks
(a quarter of a cached page's time). A `redis.Redis` is safe to share between threads."""

import logging
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

logger = logging.getLogger(__name__)

# What "Redis is unreachable" raises (refused, reset, timed out, still loading its data).
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER = 2.0  # seconds
WARN_EVERY = 60.0  # seconds
# A blackholed server must not hold a request: every command either answers or fails fast.
SOCKET_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class CacheUnreachable(redis.exceptions.ConnectionError):
    """Raised by `shared` while Redis is unreachable (already logged by the backend)."""


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


class Outage:
    """One process's view of one Redis server: unreachable since when, tried again when, and
    when the log last said so."""

    def __init__(self, server: str):
        self.server = server
        self.lock = threading.Lock()
        self.since: float | None = None
        self.retry_at = 0.0
        self.warned_at = 0.0
        self.fallbacks = 0

    def waiting(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + RETRY_AFTER
            if self.since is None:
                self.since, self.warned_at, self.fallbacks = now, now, 0
                logger.warning(
                    "Cache unreachable (Redis at %s: %s). Serving without it: rate limits and "
                    "throttles now count in each process's memory; trying again every %s s.",
                    self.server,
                    error,
                    RETRY_AFTER,
                )

    def fell_back(self) -> None:
        now = time.monotonic()
        with self.lock:
            self.fallbacks += 1
            if self.since is not None and now - self.warned_at >= WARN_EVERY:
                self.warned_at = now
                logger.warning(
                    "Cache still unreachable (Redis at %s) for %.0f s: %s operations served "
                    "from this process's memory.",
                    self.server,
                    now - self.since,
                    self.fallbacks,
                )

    def answered(self) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is not None:
                logger.info(
                    "Cache reachable again (Redis at %s) after %.0f s.",
                    self.server,
                    time.monotonic() - self.since,
                )
                self.since = None


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(server: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(server, Outage(server))


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._options = {**SOCKET_TIMEOUTS, **self._options}
        self.outage = _outage_of(str(server))
        # The fallback reads keys the way this cache does (prefix, version, key function).
        self._memory = LocMemCache(
            f"redis-fallback:{server}",
            {**params, "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )

    def _call(self, name: str, *args, **kwargs):
        if self.outage.waiting():
            return self._fall_back(name, *args, **kwargs)
        try:
            result = getattr(DjangoRedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as error:
            self.outage.failed(error)
            return self._fall_back(name, *args, **kwargs)
        self.outage.answered()
        return result

    def _fall_back(self, name: str, *args, **kwargs):
        self.outage.fell_back()
        return getattr(self._memory, name)(*args, **kwargs)

    def strict(self, name: str, *args, **kwargs):
        """The operation on Redis alone: CacheUnreachable when it cannot be done."""
        if self.outage.waiting():
            raise CacheUnreachable(f"Redis at {self.outage.server} is unreachable")
        try:
            result = getattr(DjangoRedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as error:
            self.outage.failed(error)
            raise CacheUnreachable(str(error)) from error
        self.outage.answered()
        return result

    # Every operation of Django's backend; BaseCache builds the others (get_or_set, decr,
    # the async ones) on these.
    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")


class _Shared:
    """The default cache for code that handles its errors itself: with the Redis backend,
    its operations without the fallback (CacheUnreachable raised); any other backend as is."""

    def __getattr__(self, name: str):
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            return lambda *args, **kwargs: backend.strict(name, *args, **kwargs)
        return getattr(backend, name)


shared = _Shared()
