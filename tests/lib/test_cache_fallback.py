"""The Redis cache backend when Redis is unreachable (adn_portal.lib.cache): the portal keeps
answering from each process's memory and says so in the log, without flooding it. Against a
real Redis stopped mid-test, with the API and pages: tests/services/test_cache_outage.py."""

import itertools
import logging
import socket
import time
from unittest import mock

import pytest
import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from adn_portal.lib import cache as cache_module
from adn_portal.lib import page_cache
from adn_portal.lib.cache import CacheUnreachable, RedisCache

_databases = itertools.count(1)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable():
    # Its own server URL: each server's outage is remembered per process.
    return RedisCache(f"redis://127.0.0.1:{closed_port()}/{next(_databases)}", {})


def cache_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "adn_portal.lib.cache" and r.levelno == logging.WARNING
    ]


def test_an_unreachable_redis_serves_reads_and_writes_from_the_process_memory(unreachable):
    assert unreachable.get("missing", "default") == "default"
    unreachable.set("throttle:1.2.3.4", [1.0, 2.0], 60)
    assert unreachable.get("throttle:1.2.3.4") == [1.0, 2.0]
    assert unreachable.add("lock", True, 10) is True
    assert unreachable.add("lock", True, 10) is False
    unreachable.set("count", 1, None)
    assert unreachable.incr("count") == 2
    assert unreachable.get_or_set("claims", lambda: 3, 600) == 3


def test_redis_down_is_said_once_then_at_most_once_a_minute(unreachable, caplog, monkeypatch):
    monkeypatch.setattr(cache_module, "WARN_EVERY", 0.5)
    with caplog.at_level(logging.WARNING, logger="adn_portal.lib.cache"):
        for n in range(200):
            unreachable.get(f"key{n}")
        assert len(cache_warnings(caplog)) == 1
        assert "Cache unreachable" in cache_warnings(caplog)[0]

        time.sleep(0.6)
        unreachable.get("key")
        unreachable.get("key")
    assert len(cache_warnings(caplog)) == 2
    assert "still unreachable" in cache_warnings(caplog)[1]


def test_after_a_failure_redis_is_left_alone_for_a_while(unreachable, monkeypatch):
    monkeypatch.setattr(cache_module, "RETRY_AFTER", 0.3)
    down = redis.exceptions.ConnectionError("Connection refused")
    with mock.patch.object(DjangoRedisCache, "get", side_effect=down) as redis_get:
        for _ in range(50):
            unreachable.get("key")
        assert redis_get.call_count == 1  # one attempt, then memory only

        time.sleep(0.35)
        unreachable.get("key")
        assert redis_get.call_count == 2


def test_redis_back_is_used_again_and_said(unreachable, caplog, monkeypatch):
    monkeypatch.setattr(cache_module, "RETRY_AFTER", 0.1)
    unreachable.get("key")  # fails: remembered as down
    time.sleep(0.15)
    with (
        mock.patch.object(DjangoRedisCache, "get", return_value="from redis"),
        caplog.at_level(logging.INFO, logger="adn_portal.lib.cache"),
    ):
        assert unreachable.get("key") == "from redis"
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_the_page_cache_computes_rather_than_keeping_a_copy_of_its_own(
    unreachable, settings, caplog
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "adn_portal.lib.cache.RedisCache",
            "LOCATION": unreachable._servers[0],
        },
    }
    with caplog.at_level(logging.WARNING):
        assert page_cache.current_version("version:directory") is None  # render afresh
        page_cache.cache_set("page:x", "<html>", 60)
        assert page_cache.cache_get("page:x") is None
        assert page_cache.current_version("version:directory") is None
    # Said once, by the backend; not once per page by the page cache.
    assert [r.name for r in caplog.records] == ["adn_portal.lib.cache"]
    with pytest.raises(CacheUnreachable):
        cache_module.shared.get("page:x")
