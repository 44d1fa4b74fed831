"""careers_site.cache: the shared counter behind the rate limits (count_hit), on a real Redis and
on the local-memory cache of development; and the process's copies of shared fragments."""

import os
import time

import pytest
from django.core.cache import caches

from careers_site.cache import _MISSING, LocalCopies, ResilientRedisCache, count_hit
from leads import ratelimit
from tests.services import redis_available

REDIS_LOCATION = "redis://127.0.0.1:6379/12"  # its own database: it is flushed


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


def test_local_copies_hand_out_strings_as_they_are_and_copies_of_the_rest():
    copies = LocalCopies(max_entries=10)
    page = "<p>" + "comment " * 10_000 + "</p>"
    copies.set("page", page, None)
    copies.set("section", (page, 200), None)
    copies.set("row", {"title": "Original"}, None)

    assert copies.get("page") is page  # nothing unpickled on the way out
    assert copies.get("section")[0] is page
    row = copies.get("row")
    row["title"] = "Changed by a reader"
    assert copies.get("row") == {"title": "Original"}


def test_local_copies_drop_the_least_recently_used_and_the_expired():
    copies = LocalCopies(max_entries=2)
    copies.set("a", "A", None)
    copies.set("b", "B", None)
    assert copies.get("a") == "A"  # now the most recently used
    copies.set("c", "C", None)
    assert copies.get("b") is _MISSING
    assert (copies.get("a"), copies.get("c")) == ("A", "C")

    copies.set("old", "O", time.time() - 1)
    copies.set("soon", "S", time.time() + 60)
    assert copies.get("old") is _MISSING
    assert copies.get("soon") == "S"
