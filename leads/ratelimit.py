"""A fixed-window request limit per client, in Django's cache. A broken cache lets requests through:
losing the limit for a while is better than losing information requests."""

import logging
import time

from django.core.cache import cache

from careers_site.cache import count_hit

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600


def _key(client: str, now: float | None) -> str:
    window = int((now if now is not None else time.time()) // WINDOW_SECONDS)
    return f"leads:rate:{client}:{window}"


def is_limited(client: str, *, limit: int, now: float | None = None) -> bool:
    try:
        return (cache.get(_key(client, now)) or 0) >= limit
    except Exception:
        logger.warning("Rate limit cache unavailable; letting the request through", exc_info=True)
        return False


def record_hit(client: str, *, now: float | None = None) -> None:
    try:
        count_hit(_key(client, now), WINDOW_SECONDS)
    except Exception:
        logger.warning("Rate limit cache unavailable; request not counted", exc_info=True)
