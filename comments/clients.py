"""Who is posting: the keyed hash of the client's address, and the rate limit."""

import logging
import time

from django.conf import settings

from articles.visitors import keyed_hash
from careers_site.cache import count_hit

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
        count = count_hit(key, timeout=90)
    except Exception:
        logger.warning("Comment rate limit skipped: the cache is unavailable.", exc_info=True)
        return False
    return count is not None and count > settings.COMMENTS_RATE_LIMIT_PER_MINUTE
