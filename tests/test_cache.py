"""careers_site.cache: the shared counter behind the rate limits (count_hit), on a real Redis and
on the local-memory cache of development."""

import pytest
from django.core.cache import caches
from django_redis.cache import RedisCache

from careers_site.cache import count_hit
from leads import ratelimit
from tests.services import use_redis_cache

REDIS_LOCATION = "redis://127.0.0.1:6379/12"  # its own database: it is flushed


@pytest.fixture
def redis_cache(settings):
    use_redis_cache(settings, REDIS_LOCATION)
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.clear()
    yield cache
    cache.clear()


def test_count_hit_counts_in_one_window_on_redis(redis_cache):
    assert [count_hit("window", 90) for _ in range(3)] == [1, 2, 3]

    client = redis_cache.client.get_client(write=False)
    key = redis_cache.make_key("window")
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
