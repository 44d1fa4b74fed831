"""The shared counter behind the rate limits (careers_site.cache.count_hit), on a real Redis and on
the local-memory cache of development."""

import os

import pytest
from django.core.cache import caches

from careers_site.cache import ResilientRedisCache, count_hit
from leads import ratelimit
from tests.services import redis_available

REDIS_LOCATION = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache(settings):
    if not redis_available() and not os.environ.get("CI"):
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "careers_site.cache.ResilientRedisCache",
            "LOCATION": REDIS_LOCATION,
        },
    }
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)
    cache.clear()
    yield cache
    cache.clear()


def test_count_hit_counts_in_one_window_on_redis(redis_cache):
    assert [count_hit("window", 90) for _ in range(3)] == [1, 2, 3]

    client = redis_cache._cache.get_client(write=False)
    key = redis_cache.make_and_validate_key("window")
    assert 0 < client.ttl(key) <= 90  # the window's expiry was set by its first hit, once
    assert redis_cache.get("window") == 3  # a plain integer, as Django's cache reads it back


def test_the_information_request_limit_counts_on_redis(redis_cache):
    for _ in range(2):
        assert ratelimit.is_limited("client-a", limit=2) is False
        ratelimit.record_hit("client-a")
    assert ratelimit.is_limited("client-a", limit=2) is True
    assert ratelimit.is_limited("client-b", limit=2) is False


def test_count_hit_on_the_local_memory_cache():
    caches["default"].clear()
    assert [count_hit("window", 90) for _ in range(3)] == [1, 2, 3]
    caches["default"].delete("window")
    assert count_hit("window", 90) == 1
