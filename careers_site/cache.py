"""Small helpers over Django's cache, whatever its backend (django-redis in production, local
memory in development), and the log filter that keeps a Redis outage to a line a minute.

Nothing the site keeps in the cache is precious: pages, rate-limit counters, lists staff change now
and then. django-redis (`IGNORE_EXCEPTIONS`) answers a read as a miss and drops a write while Redis
is down, so the pages and forms keep working and the rate limits let requests through.
"""

import logging
import threading
import time

from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

STILL_DOWN_LOG_INTERVAL = 60.0


class OutageLogFilter(logging.Filter):
    """django-redis logs every call it answers without Redis: the first one of an outage goes
    through ("Cache unavailable: ..."), then one a minute with the count of those left out."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self._lock = threading.Lock()
        self._logged_at = -STILL_DOWN_LOG_INTERVAL
        self._left_out = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._logged_at < STILL_DOWN_LOG_INTERVAL:
                self._left_out += 1
                return False
            left_out, self._left_out, self._logged_at = self._left_out, 0, now
        error = record.exc_info[1] if record.exc_info else record.getMessage()
        record.msg = "Cache unavailable (%s calls served without it since the last line): %s"
        record.args = (left_out, error)
        record.exc_info = record.exc_text = None
        return True


def get_quietly(key: str, default=None, *, alias: str = "default"):
    """`cache.get()` that answers `default` when the cache fails, whatever its backend: for values
    the database can always give again."""
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
    window): the new count, or None when the cache cannot count (Redis down)."""
    cache = caches[alias]
    try:
        cache.add(key, 0, timeout)
        count = cache.incr(key)
    except ValueError:  # expired between the two calls, or Redis went away
        return None
    return count if isinstance(count, int) else None
