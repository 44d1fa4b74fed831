"""Who is posting: the keyed hash of the client's address, and the rate limit."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from articles.visitors import keyed_hash

logger = logging.getLogger(__name__)


def client_hash(ip_address: str) -> str:
    """HMAC of the address: the same client gets the same key, and the address cannot be read."""
    return keyed_hash("comment-client", ip_address)


def rate_limit_exceeded(client: str, *, now: float | None = None) -> bool:
    """Counts one attempt in the current minute; True beyond COMMENTS_RATE_LIMIT_PER_MINUTE.

    The limit is a guard, not a gate: when the cache fails, the comment goes through.
    """
    minute = int((now if now is not None else time.time()) // 60)
    key = f"comments:rate:{client}:{minute}"
    try:
        cache.add(key, 0, timeout=90)
        count = cache.incr(key)
    except ValueError:  # the key is gone: expired at once, or the cache is down and keeps nothing
        return False
    except Exception:
        logger.warning("Comment rate limit skipped: the cache is unavailable.", exc_info=True)
        return False
    return count > settings.COMMENTS_RATE_LIMIT_PER_MINUTE
