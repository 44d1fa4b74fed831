"""Who is posting: the client's address (used, never stored), its keyed hash, and the rate limit."""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str:
    header = settings.COMMENTS_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_hash(ip_address: str) -> str:
    """HMAC of the address: the same client gets the same key, and the address cannot be read."""
    message = f"comment-client|{ip_address}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def rate_limit_exceeded(client: str, *, now: float | None = None) -> bool:
    """Counts one attempt in the current minute; True beyond COMMENTS_RATE_LIMIT_PER_MINUTE.

    The limit is a guard, not a gate: when the cache fails, the comment goes through.
    """
    minute = int((now if now is not None else time.time()) // 60)
    key = f"comments:rate:{client}:{minute}"
    try:
        cache.add(key, 0, timeout=90)
        count = cache.incr(key)
    except Exception:
        logger.warning("Comment rate limit skipped: the cache is unavailable.", exc_info=True)
        return False
    return count > settings.COMMENTS_RATE_LIMIT_PER_MINUTE
