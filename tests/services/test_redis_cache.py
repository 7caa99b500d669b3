"""The portal's Redis cache backend (adn_portal.lib.cache) against the real Redis server."""

import threading

from django.conf import settings

from adn_portal.lib.cache import RedisCache
from adn_portal.lib.env import cache_url
from adn_portal.lib.page_cache import bump, current_version


def _cache():
    # Its own database number: the broker's queues stay untouched by the flush below.
    url = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/9"
    config = cache_url("TEST_CACHE_URL_UNSET", default=url)
    assert config["BACKEND"] == "adn_portal.lib.cache.RedisCache"  # what production gets
    cache = RedisCache(config["LOCATION"], {})
    cache.clear()
    return cache


def test_one_redis_client_serves_every_call_of_a_worker():
    cache = _cache()
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client  # one server, one pool

    cache.set("page:a", {"html": "é" * 50_000}, 30)
    assert cache.get("page:a") == {"html": "é" * 50_000}
    assert cache.add("page:a", "other", 30) is False
    cache.set("version", 41, None)
    assert cache.incr("version") == 42
    assert cache.get_many(["page:a", "missing"]) == {"page:a": {"html": "é" * 50_000}}


def test_the_shared_client_is_safe_across_threads():
    cache = _cache()
    cache.set("counter", 0, None)
    errors = []

    def work(n):
        try:
            for i in range(200):
                cache.set(f"t{n}:{i}", (n, i), 30)
                assert cache.get(f"t{n}:{i}") == (n, i)
                cache.incr("counter")
        except Exception as error:  # reported below: an assertion in a thread is silent
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get("counter") == 8 * 200


def test_page_versions_move_on_through_the_real_backend(monkeypatch):
    import adn_portal.lib.page_cache as page_cache

    monkeypatch.setattr(page_cache, "shared", _cache())  # the page cache's handle on Redis
    first = current_version("directory-version")
    bump("directory-version")
    assert current_version("directory-version") == first + 1
