"""Scheduled articles going live: no save announces it, so the pages that list them are dropped
when the time comes, by the first request any process serves after it (careers_site.page_cache runs
it before every page: articles/apps.py).

The time of the next scheduled publication is kept in the cache beside the pages; each process
reads it at most once a second, so the check costs a request nothing in between.
"""

import logging
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import DatabaseError, transaction

from careers_site.cache import get_quietly, set_quietly
from careers_site.page_cache import pages_changed

from . import page_keys, related
from .models import Article
from .selectors import next_publication_at

logger = logging.getLogger(__name__)

NEXT_PUBLICATION_KEY = "articles:next-publication"  # a timestamp, or 0: nothing is scheduled
NOTHING_SCHEDULED = 0
CHECK_SECONDS = 1.0
_reading = {"next": None, "at": float("-inf")}


def forget_reading() -> None:
    """Read the time of the next publication from the cache next time (tests, a cleared cache)."""
    _reading.update(next=None, at=float("-inf"))


def remember_next_publication() -> None:
    """After an article is saved, now and once the transaction commits: when the next one goes
    live."""

    def remember() -> None:
        try:
            upcoming = next_publication_at()
        except DatabaseError:  # the database is down: cached pages are still served meanwhile
            logger.warning("Cannot read the next scheduled article", exc_info=True)
            return
        timestamp = upcoming.timestamp() if upcoming else NOTHING_SCHEDULED
        set_quietly(NEXT_PUBLICATION_KEY, timestamp, timeout=None)
        forget_reading()

    remember()
    transaction.on_commit(remember, robust=True)


def publish_due_articles(now: float | None = None) -> None:
    """Drop the pages that list the articles gone live since the last check, once in all
    processes (the first one to see the time passed does it)."""
    now = time.time() if now is None else now
    if now - _reading["at"] >= CHECK_SECONDS:
        upcoming = get_quietly(NEXT_PUBLICATION_KEY)
        if upcoming is None:  # not known yet, or the cache was emptied
            remember_next_publication()
        _reading.update(next=upcoming, at=now)
    upcoming = _reading["next"]
    if not upcoming or now < upcoming:
        return
    forget_reading()
    try:
        first = cache.add(f"articles:went-live:{upcoming}", 1, timeout=300)
    except Exception:  # a failing cache: nothing is shared meanwhile
        first = False
    if not first:
        return  # another process is on it (or the cache is down: nothing is shared then)
    try:
        since = datetime.fromtimestamp(upcoming, UTC)
        went_live = list(Article.objects.published().filter(published_at__gte=since))
    except DatabaseError:
        logger.warning("Cannot read the articles that went live", exc_info=True)
        cache.delete(f"articles:went-live:{upcoming}")
        return
    for article in went_live:
        keys = page_keys.keys_changed_by_article(article, before=None)
        pages_changed(keys)
        related.lists_changed(keys)
    remember_next_publication()
