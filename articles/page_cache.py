"""The full-page cache: anonymous readers' article, list, category, tag, author and home pages,
shared by every worker through the default cache (Redis in production).

A page is served from the cache only to a *public* request: a GET or HEAD that carries none of the
cookies that make a page personal (a session, saved comment details, a pending message). A page is
stored only when rendering it touched nothing personal: no session read, no CSRF token issued, no
cookie set, nothing marked private. So no visitor is ever served another's held comment, saved name
or CSRF token; the forms on a public page fetch their token when the reader reaches for them.

Every stored page (and every shared fragment of a page) is keyed on a *content generation*, a
counter in the cache that `pages_changed()` moves on: when an article, its author, category, tags or
FAQ change, or a comment is approved or withdrawn (the comments app calls it). It also moves by
itself when the next scheduled article goes live, which no save announces: the time of that is
kept beside the counter. Old entries are never read again and expire on their own, after
`PAGE_CACHE_SECONDS` at most.
"""

import gzip
import hashlib
import logging
import re
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .selectors import next_publication_at

logger = logging.getLogger(__name__)

# Fragments, article rows and threads keyed on the generation, under the alias the {% cache %}
# tag uses: careers_site.cache.GenerationalCache keeps a copy of each in the process.
FRAGMENT_CACHE = "template_fragments"
GENERATION_KEY = "page-cache:generation"
NEXT_CHANGE_KEY = "page-cache:next-change"  # when the next scheduled article goes live
NOTHING_SCHEDULED = 0
STATUS_HEADER = "X-Page-Cache"
# Query parameters that never change what a page shows: kept out of the cache key.
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "ref"})
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads Accept-Encoding
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Robots-Tag", "Link")


def is_public_request(request: HttpRequest) -> bool:
    """A request whose answer may be shared: GET or HEAD, and no cookie that makes it personal."""
    if request.method not in {"GET", "HEAD"}:
        return False
    return not any(name in request.COOKIES for name in settings.PAGE_CACHE_PERSONAL_COOKIES)


# This process's last reading of the generation. A change made here is seen here at once; one made
# by another process (another worker, another server) within CONTENT_GENERATION_CHECK_SECONDS.
_last_reading = {"generation": 0, "at": 0.0}


def content_generation(request: HttpRequest | None = None) -> int:
    """The current generation of the site's content, read once per request; 0 if the cache is
    down (then nothing is shared)."""
    if request is not None and hasattr(request, "_page_cache_generation"):
        return request._page_cache_generation
    now = time.monotonic()
    fresh = now - _last_reading["at"] < settings.CONTENT_GENERATION_CHECK_SECONDS
    if _last_reading["generation"] and fresh:
        generation = _last_reading["generation"]
    else:
        generation = _read_generation()
        if generation:
            _last_reading.update(generation=generation, at=now)
    if request is not None:
        request._page_cache_generation = generation
    return generation


def forget_reading() -> None:
    """Read the generation from the shared cache next time (after the cache was cleared)."""
    _last_reading["generation"] = 0


def _read_generation() -> int:
    try:
        values = cache.get_many([GENERATION_KEY, NEXT_CHANGE_KEY])
        generation, next_change = values.get(GENERATION_KEY), values.get(NEXT_CHANGE_KEY)
        if next_change is None:
            _remember_next_change_if_possible()
        elif next_change != NOTHING_SCHEDULED and time.time() >= next_change:
            # A scheduled article has gone live: every page that lists articles is stale. One
            # process moves the generation on; the others read it once it has.
            if cache.add(f"page-cache:went-live:{next_change}", 1, timeout=60):
                _bump()
            generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, _first_generation(), timeout=None)
            generation = cache.get(GENERATION_KEY, 0)
    except Exception:  # the cache is down: pages are rendered, not shared
        logger.warning("Page cache unavailable: cannot read the content generation", exc_info=True)
        generation = 0
    return generation or 0


def _first_generation() -> int:
    """A new counter starts from the clock, not from 1: a cache server that restarts empty must
    not hand out generations whose fragments processes still hold."""
    return int(time.time() * 1000)


def _remember_next_change_if_possible() -> None:
    try:
        _remember_next_change()
    except DatabaseError:  # the database is down: cached pages are still served meanwhile
        logger.warning("Cannot read the next scheduled article", exc_info=True)


def _remember_next_change() -> None:
    next_publication = next_publication_at()
    cache.set(
        NEXT_CHANGE_KEY,
        next_publication.timestamp() if next_publication else NOTHING_SCHEDULED,
        timeout=None,
    )


def _bump() -> None:
    forget_reading()
    try:
        cache.add(GENERATION_KEY, _first_generation(), timeout=None)
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted between add and incr
        cache.set(GENERATION_KEY, _first_generation(), timeout=None)
    except Exception:
        logger.error("Page cache unavailable: could not invalidate cached pages", exc_info=True)
        return
    try:
        _remember_next_change()
    except Exception:
        logger.error("Page cache unavailable: the next scheduled article is unknown", exc_info=True)


def pages_changed() -> None:
    """What the public pages show has changed: every cached page is stale.

    The generation moves now and again once the transaction commits, so that a page rendered from
    the old data between the write and the commit is not kept under the new generation.
    """
    _bump()
    transaction.on_commit(_bump)


def _cache_key(request: HttpRequest, generation: int) -> str:
    params = sorted(
        (key, value)
        for key, values in request.GET.lists()
        if not key.startswith("utm_") and key not in TRACKING_PARAMETERS
        for value in values
    )
    address = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(params)}"
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{generation}:{digest}"


def _is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page carries a CSRF token
    session = getattr(request, "session", None)
    if session is not None and (session.accessed or session.modified):
        return False  # the page may show something of this visitor's
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def cache_public_page(view):
    """Decorates a view whose public answers are shared through the cache."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PAGE_CACHE_SECONDS or not is_public_request(request):
            response = view(request, *args, **kwargs)
            response[STATUS_HEADER] = "bypass"
            return response
        generation = content_generation(request)
        key = _cache_key(request, generation) if generation else None
        # Keyed on the generation, so this process keeps a copy. A cache that is down reads as
        # empty (careers_site.cache.ResilientRedisCache): the page is rendered, not shared.
        cached = caches[FRAGMENT_CACHE].get(key) if key else None
        if cached is not None:
            compressed, headers = cached
            response = HttpResponse()
            for name, value in headers:
                response[name] = value
            _set_content(request, response, compressed)
            response[STATUS_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if key and _is_storable(request, response):
            headers = tuple((name, response[name]) for name in STORED_HEADERS if name in response)
            # Compressed once here, not for every reader. A shared page holds no secret (no token,
            # nothing of the reader's), so compression cannot leak one (BREACH).
            compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
            caches[FRAGMENT_CACHE].set(key, (compressed, headers), settings.PAGE_CACHE_SECONDS)
            _set_content(request, response, compressed)
        response[STATUS_HEADER] = "miss"
        return response

    return wrapped


def _set_content(request: HttpRequest, response: HttpResponse, compressed: bytes) -> None:
    """The page as stored, gzip-compressed, for a browser that accepts it (all do); unpacked for
    a client that does not."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response.content = compressed
        response["Content-Encoding"] = "gzip"
    else:
        response.content = gzip.decompress(compressed)
    response["Content-Length"] = str(len(response.content))
