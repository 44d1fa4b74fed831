"""Django's Redis cache, made to survive Redis going away.

Nothing the site keeps in the cache is precious (rate-limit counters, sign-in failures, the health
probe), so while Redis cannot be reached the cache behaves like Django's dummy cache: every read is
a miss, every write is dropped, `add()` answers True and `incr()` raises ValueError as for a missing
key. Rate limits therefore let requests through; the pages and forms keep working.

After a failure Redis is left alone for `RETRY_AFTER` seconds (an option, default 2), so that a dead
server costs a page one connection attempt at most, not one per cache call; then it is tried again.
The outage is logged when it starts, at most once a minute while it lasts, and when it ends.
"""

import logging
import pickle
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

STILL_DOWN_LOG_INTERVAL = 60.0


@dataclass
class Outage:
    """The state of one Redis server, shared by the threads of a process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    since: float | None = None
    retry_at: float = 0.0
    errors: int = 0
    logged_at: float = 0.0


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(location, Outage())


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call (a fifth of a millisecond
    each, mostly filling its table of reply parsers); this one keeps one per connection pool.
    A `redis.Redis` is safe to share between threads: each call borrows a pool connection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self.outage = outage_for(",".join(self._servers))

    @property
    def is_down(self) -> bool:
        """True while Redis failed recently and is not to be tried again yet."""
        return self.outage.since is not None and time.monotonic() < self.outage.retry_at

    def _attempt(self, operation, *args, fallback=None, **kwargs):
        if self.is_down:
            self._failed(None)
            return fallback
        try:
            result = operation(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return fallback
        if self.outage.since is not None:
            self._recovered()
        return result

    def _failed(self, error: RedisError | None) -> None:
        now = time.monotonic()
        outage = self.outage
        with outage.lock:
            outage.errors += 1
            if error is None:
                return
            outage.retry_at = now + self.retry_after
            if outage.since is None:
                outage.since = outage.logged_at = now
                logger.warning(
                    "Cache unavailable (%s): serving without it, trying again every %g s",
                    error,
                    self.retry_after,
                )
            elif now - outage.logged_at >= STILL_DOWN_LOG_INTERVAL:
                outage.logged_at = now
                logger.warning(
                    "Cache still unavailable after %.0f s (%s calls served without it): %s",
                    now - outage.since,
                    outage.errors,
                    error,
                )

    def _recovered(self) -> None:
        outage = self.outage
        with outage.lock:
            if outage.since is None:
                return
            logger.warning(
                "Cache reachable again after %.1f s (%s calls served without it)",
                time.monotonic() - outage.since,
                outage.errors,
            )
            outage.since, outage.errors, outage.retry_at = None, 0, 0.0

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().add, key, value, timeout, version, fallback=True)

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        return self._attempt(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, key, version, fallback=False)

    def count_hit(self, key, timeout, version=None):
        """`count_hit()` in one round trip: SET NX with the expiry, then INCR, pipelined."""
        key = self.make_and_validate_key(key, version=version)

        def operation():
            pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
            pipeline.set(key, 0, ex=int(timeout), nx=True)
            pipeline.incr(key)
            return pipeline.execute()[1]

        return self._attempt(operation, fallback=None)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._attempt(super().incr, key, delta, version, fallback=missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found: the cache is unavailable.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        self._attempt(super().delete_many, keys, version)

    def clear(self):
        return self._attempt(super().clear, fallback=False)


_MISSING = object()


def get_quietly(key: str, default=None, *, alias: str = "default"):
    """`cache.get()` that answers `default` when the cache fails, whatever its backend: for values
    the database can always give again (ResilientRedisCache already does this for Redis)."""
    try:
        return caches[alias].get(key, default)
    except Exception:
        logger.warning("Cache read of %s failed: reading from the database", key, exc_info=True)
        return default


def set_quietly(key: str, value, timeout: float, *, alias: str = "default") -> None:
    """`cache.set()` that logs a failure instead of raising it (see get_quietly)."""
    try:
        caches[alias].set(key, value, timeout)
    except Exception:
        logger.warning("Cache write of %s failed", key, exc_info=True)


def read_through(key: str, timeout: float, compute, *, alias: str = "default"):
    """The value kept under `key`, or else `compute()`'s, kept for `timeout` seconds. For small
    lists that staff change now and then (see `forget`): a failing cache reads as empty, so the
    value comes from the database."""
    value = get_quietly(key, alias=alias)
    if value is None:
        value = compute()
        set_quietly(key, value, timeout, alias=alias)
    return value


def forget(key: str, *, alias: str = "default") -> None:
    """Drop a value read through `read_through` whose source changed: now, and again once the
    transaction commits, so that no request reads the old rows back into the cache in between."""
    caches[alias].delete(key)
    transaction.on_commit(lambda: caches[alias].delete(key), robust=True)


def count_hit(key: str, timeout: int, *, alias: str = "default") -> int | None:
    """One more hit on a counter that lives `timeout` seconds from its first hit (a rate-limit
    window): the new count, or None when the cache cannot count (Redis down). On Redis this is
    one round trip, where `add()` then `incr()` are three (Django's incr() checks first)."""
    cache = caches[alias]
    if isinstance(cache, ResilientRedisCache):
        return cache.count_hit(key, timeout)
    try:
        cache.add(key, 0, timeout)
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        return None


def _immutable(value) -> bool:
    if value is None or isinstance(value, (str, bytes, int, float)):
        return True
    return type(value) is tuple and all(_immutable(item) for item in value)


class LocalCopies:
    """A process's copies of shared values, the least recently used dropped beyond `max_entries`.

    Strings, bytes, numbers and tuples of them are kept as they are: the same object is handed to
    every reader, with nothing to unpickle (a page or a comment section is hundreds of kB). Any
    other value is kept pickled, so that a reader who changes what it got (an article row) changes
    its own copy, as with Django's local-memory cache.
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[str, tuple[float | None, bool, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return _MISSING
            expires, pickled, stored = item
            if expires is not None and expires <= time.time():
                del self._items[key]
                return _MISSING
            self._items.move_to_end(key)
        return pickle.loads(stored) if pickled else stored

    def set(self, key: str, value, expires: float | None) -> None:
        if expires is not None and expires <= time.time():  # a timeout of 0: not kept
            self.delete(key)
            return
        pickled = not _immutable(value)
        stored = pickle.dumps(value, pickle.HIGHEST_PROTOCOL) if pickled else value
        with self._lock:
            self._items[key] = (expires, pickled, stored)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class GenerationalCache(BaseCache):
    """The shared cache, with a copy in this process of what was read from it.

    Only for keys that carry the content generation (articles.page_cache): the value under such a
    key never changes, so a copy can be kept without asking the shared cache again; a new
    generation means new keys. The shared cache is the `SHARED` alias (default "default"); the
    copy (LocalCopies, `MAX_ENTRIES`, default 200) expires with `TIMEOUT`.
    """

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._shared_alias = options.get("SHARED", "default")
        self._local = LocalCopies(options.get("MAX_ENTRIES", 200))

    @property
    def _shared(self):
        return caches[self._shared_alias]

    # One key for both stores: this cache's own (its KEY_PREFIX, the release, and the version),
    # under which the shared cache keeps the value as it keeps any other key.

    def get(self, key, default=None, version=None):
        key = self.make_key(key, version)
        value = self._local.get(key)
        if value is _MISSING:
            value = self._shared.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._local.set(key, value, self.get_backend_timeout())
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version)
        self._shared.set(key, value, timeout)
        self._local.set(key, value, self.get_backend_timeout(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version)
        added = self._shared.add(key, value, timeout)
        if added:
            self._local.set(key, value, self.get_backend_timeout(timeout))
        return added

    def delete(self, key, version=None):
        key = self.make_key(key, version)
        self._local.delete(key)
        return self._shared.delete(key)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._shared.touch(self.make_key(key, version), timeout)

    def clear(self):
        """Forgets this process's copies only: the shared cache is cleared through its own alias."""
        self._local.clear()
