"""The page cache: the one cache of the site's pages, shared by every worker through the default
cache (Redis in production), and the same keys for the CDN in front (careers_site/cdn.py).

A page is *shared* when a view decorated with `shared_page` answers a public request: a GET or
HEAD carrying none of the cookies that make a page personal (a session, a held comment, saved
details, a pending message). Rendering names what the page shows, as keys (`add_page_keys`:
`article-12`, `card-7`, `comments-12`...; the apps say which in their `page_keys` modules). The
page is stored with those keys only when rendering touched nothing personal: no session read, no
CSRF token issued, no cookie set, nothing marked private; and it goes out with
`Cache-Control: public, max-age=0, s-maxage=...` and the keys in `Surrogate-Key`, for a CDN.

A change names the keys of what it changed (`pages_changed`): exactly the pages stored under one
of them are dropped, at once and again when the transaction commits, and the CDN is told to purge
the same keys. A page whose render overlapped a change of one of its keys is not kept (see
`RedisIndex.store`), so no reader keeps being served what was true before the change.

Each process also keeps copies of the pages it read from Redis (careers_site/page_copies.py),
dropped by the same changes, published on a Redis channel: a page read often costs no round trip.

`PageCacheMiddleware` comes first: a stored page is answered before any other middleware runs
(sessions, CSRF, authentication, messages: a shared page needs none of them), with the headers
the whole stack gave it when it was rendered (the security headers among them). A page this
process keeps a copy of is answered earlier still, by `CopiesFirst` in front of Django's WSGI
handler (careers_site/wsgi.py): no handler, signals or middleware run for it. What must happen
before any page is answered (scheduled articles going live) is registered with `before_pages`
and runs on both paths. A landing (a
campaign's `utm_*` parameters, a link from another site) goes through the whole stack, so
that its attribution is remembered. A cache that is down reads as empty: pages are rendered, not
shared.
"""

import gzip
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import ResponseHeaders
from django.utils.cache import patch_vary_headers

from careers_site import cdn
from careers_site.cache import get_quietly
from careers_site.page_copies import CHANNEL, PageCopies

outage_logger = logging.getLogger("careers_site.cache.outage")

STATUS_HEADER = "X-Page-Cache"
CDN_PURGE_AGAIN_SECONDS = 1.0
KEYS_HEADER = "Surrogate-Key"
SITE_KEY = "site"  # on every shared page: dropping it drops them all
# Query parameters that never change what a page shows: kept out of the page's address.
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "ref"})
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads Accept-Encoding
LANDING_PARAMETERS = re.compile(r"(^|&)utm_", re.IGNORECASE)  # what the attribution keeps
# Headers made again for each answer, not stored with the page.
UNSTORED_HEADERS = {
    "content-length",
    "content-encoding",
    "vary",
    "set-cookie",
    STATUS_HEADER.lower(),
}


def is_public_request(request: HttpRequest) -> bool:
    """A request whose answer may be shared: GET or HEAD, and no cookie that makes it personal."""
    if request.method not in {"GET", "HEAD"}:
        return False
    return not any(name in request.COOKIES for name in settings.PAGE_CACHE_PERSONAL_COOKIES)


def is_landing(request: HttpRequest) -> bool:
    """A reader arriving from a campaign, an ad or another site: the attribution middleware must
    see the request (and may set its cookie), so it is rendered, not served from the cache."""
    if LANDING_PARAMETERS.search(request.META.get("QUERY_STRING", "")):
        return True
    referrer = request.META.get("HTTP_REFERER")
    if not referrer:
        return False
    own = f"{request.scheme}://{request.get_host()}/"
    return not referrer.startswith(own)


def _is_shareable(request: HttpRequest) -> bool:
    return (
        bool(settings.PAGE_CACHE_SECONDS) and is_public_request(request) and not is_landing(request)
    )


def add_page_keys(request: HttpRequest | None, keys: Iterable[str]) -> None:
    """The page being rendered shows what these keys name (nothing to do for a personal page)."""
    page_keys = getattr(request, "page_keys", None)
    if page_keys is not None:
        page_keys.update(keys)


def shared_page(view: Callable) -> Callable:
    """Decorates a view whose answers to public requests are shared (stored and sent to CDNs)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _is_shareable(request):
            response = view(request, *args, **kwargs)
            response[STATUS_HEADER] = "bypass"
            return response
        request.page_keys = {SITE_KEY}
        response = view(request, *args, **kwargs)
        response[STATUS_HEADER] = "miss"
        return response

    return wrapped


def _valid(keys: Iterable[str]) -> set[str]:
    """Keys as the CDN takes them (careers_site/cdn.py): anything else could reach a ban's
    regular expression."""
    return {key for key in keys if cdn.KEY.fullmatch(key)}


def pages_changed(keys: Iterable[str]) -> None:
    """What the pages under these keys show has changed: drop them now, and again once the
    transaction commits (a page rendered from the old rows in between is not kept), then purge
    them from the CDN."""
    keys = _valid(keys)
    if not keys:
        return
    _drop(keys)

    def after_commit() -> None:
        _drop(keys)
        cdn.purge(keys)
        if settings.CDN_PURGE_URLS:
            # Again once every process has surely dropped its copies: a CDN that fetched the page
            # in between (from a process that had not yet heard of the change) forgets it too.
            later = threading.Timer(CDN_PURGE_AGAIN_SECONDS, cdn.purge, args=(keys,))
            later.daemon = True
            later.start()

    transaction.on_commit(after_commit, robust=True)


def _drop(keys: set[str]) -> None:
    copies = _copies()
    if copies is not None:
        copies.drop(keys)  # this process's at once; the others' when the message comes
    try:
        _index().drop(keys, changed_at=time.time())
    except Exception as error:  # Redis down: nothing is stored meanwhile either
        outage_logger.warning("Page cache: could not drop the pages of %s: %s", sorted(keys), error)


_before_pages: list[Callable[[], None]] = []


def before_pages(hook: Callable[[], None]) -> None:
    """Run `hook` before any page is answered, from a copy, from Redis or rendered (an app's
    ready() registers it: articles publishes scheduled articles that went live)."""
    if hook not in _before_pages:
        _before_pages.append(hook)


def _run_before_pages() -> None:
    for hook in _before_pages:
        hook()


def _unshared_prefixes() -> tuple[str, ...]:
    return (settings.STATIC_URL, settings.MEDIA_URL, "/admin/")


class CopiesFirst:
    """In front of Django's WSGI handler: a GET of a page this process keeps a copy of, from a
    browser that takes gzip, is answered from the copy; everything else goes to Django."""

    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and ACCEPTS_GZIP.search(
            environ.get("HTTP_ACCEPT_ENCODING", "")
        ):
            copy = _copy_for(environ)
            if copy is not None:
                (compressed, _), headers_as_sent = copy
                start_response("200 OK", list(headers_as_sent.values()))
                return [compressed]
        return self.application(environ, start_response)


def _copy_for(environ):
    copies = _copies()
    if copies is None or not copies.listening:
        return None
    request = WSGIRequest(environ)
    if request.path.startswith(_unshared_prefixes()):
        return None
    try:
        if not _is_shareable(request):
            return None
        address = page_address(request)
    except DisallowedHost:
        return None  # Django answers it (400)
    if copies.get(address) is None:
        return None  # Django answers it, and runs what must come before any page there
    _run_before_pages()  # may drop the copy: looked up again
    return copies.get(address)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.unshared_prefixes = _unshared_prefixes()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _run_before_pages()
        if request.path.startswith(self.unshared_prefixes) or not _is_shareable(request):
            return self.get_response(request)
        address = page_address(request)
        copies = _copies()
        copy = copies.get(address) if copies is not None else None
        if copy is not None:
            return _stored_response(request, *copy)
        changes_before = copies.changes if copies is not None else 0
        started = time.time()
        stored = get_quietly(address)  # a cache that is down reads as empty
        if stored is not None:
            copy = (stored, _headers_as_sent(stored))
            if copies is not None:
                copies.keep(address, copy, _stored_keys(stored), changes_before)
            return _stored_response(request, *copy)
        response = self.get_response(request)
        keys = getattr(request, "page_keys", None)  # set by a shared view
        if keys is not None and _is_storable(request, response):
            _share(request, response, address, keys, started)
        return response


def page_address(request: HttpRequest) -> str:
    """The cache key of the page at this address, in this release (tracking parameters left
    out: they never change what a page shows)."""
    query = ""
    if request.META.get("QUERY_STRING"):
        query = urlencode(
            sorted(
                (key, value)
                for key, values in request.GET.lists()
                if not key.startswith("utm_") and key not in TRACKING_PARAMETERS
                for value in values
            )
        )
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{settings.RELEASE}:{digest}"


def _is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if hasattr(response, "render") and not response.is_rendered:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page carries a CSRF token
    session = getattr(request, "session", None)
    if session is not None and (session.accessed or session.modified):
        return False  # the page may show something of this visitor's
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _share(request, response, address: str, keys: set[str], started: float) -> None:
    """Store the page compressed, under its keys, with the headers the whole stack gave it, and
    mark it public for the CDN."""
    keys = _valid(keys)
    seconds = settings.PAGE_CACHE_SECONDS
    response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    response[KEYS_HEADER] = " ".join(sorted(keys))
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
    )
    # Compressed once here, not for every reader. A shared page holds no secret (no token,
    # nothing of the reader's), so compression cannot leak one (BREACH).
    compressed = gzip.compress(response.content, compresslevel=6, mtime=0)
    try:
        _index().store(address, (compressed, headers), keys, seconds, rendered_since=started)
    except Exception as error:
        outage_logger.warning("Page cache: could not store %s: %s", request.path, error)
    _set_content(request, response, compressed)


def _stored_keys(stored) -> list[str]:
    return next((value.split() for name, value in stored[1] if name == KEYS_HEADER), [])


class _CheckedHeaders(ResponseHeaders):
    """Headers that Django checked (latin-1, no newline) when the stored page was read."""

    def __init__(self, checked: dict) -> None:
        self._store = dict(checked)


def _headers_as_sent(stored) -> dict:
    """A stored page's headers as a browser (gzip) gets them, checked once for each reading of
    the page (and so once for the copy this process keeps), not once per answer: checking them
    is a fifth of the cost of a hit."""
    compressed, headers = stored
    checked = ResponseHeaders(dict(headers))
    checked["Vary"] = "Accept-Encoding"
    checked["Content-Encoding"] = "gzip"
    checked["Content-Length"] = str(len(compressed))
    checked[STATUS_HEADER] = "hit"
    return checked._store


def _stored_response(request: HttpRequest, stored, headers_as_sent: dict) -> HttpResponse:
    compressed, headers = stored
    if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(compressed)
        response.headers = _CheckedHeaders(headers_as_sent)
        return response
    response = HttpResponse()  # a client without gzip (few are): the page unpacked
    for name, value in headers:
        response.headers[name] = value
    _set_content(request, response, compressed)
    response[STATUS_HEADER] = "hit"
    return response


def _set_content(request: HttpRequest, response: HttpResponse, compressed: bytes) -> None:
    """The page as stored, gzip-compressed, for a browser that accepts it (all do); unpacked for
    a client that does not."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.content = compressed
        response["Content-Encoding"] = "gzip"
    else:
        response.content = gzip.decompress(compressed)
    response["Content-Length"] = str(len(response.content))


# Which stored pages carry which key. On Redis a set per key, shared by every process; on a cache
# of the process's own (local memory: development and tests) a dictionary beside it.


class RedisIndex:
    """Pages in django-redis, each key a Redis set of the pages stored under it, and the time of
    the key's last change (a page rendered across that time is dropped again once stored)."""

    def __init__(self, django_cache) -> None:
        self.cache = django_cache

    def _names(self, keys: Iterable[str], kind: str) -> list[str]:
        return [self.cache.make_key(f"page-{kind}:{settings.RELEASE}:{key}") for key in keys]

    def store(self, address: str, value, keys: set[str], seconds: int, *, rendered_since: float):
        client = self.cache.client.get_client(write=True)
        page = self.cache.make_key(address)
        keys = sorted(keys)
        pipeline = client.pipeline(transaction=False)
        pipeline.set(page, self.cache.client.encode(value), ex=seconds)
        for name in self._names(keys, "set"):
            pipeline.sadd(name, page)
            pipeline.expire(name, seconds + 60)
        pipeline.mget(self._names(keys, "changed"))
        changed = pipeline.execute()[-1]
        # Stored first, checked after: a change that came during the render, or that drops the
        # key's pages between the two, cannot leave this page behind.
        if any(stamp is not None and float(stamp) >= rendered_since for stamp in changed):
            client.delete(page)

    def drop(self, keys: set[str], *, changed_at: float) -> None:
        client = self.cache.client.get_client(write=True)
        sets = self._names(keys, "set")
        pipeline = client.pipeline(transaction=False)
        for name in self._names(keys, "changed"):
            pipeline.set(name, repr(changed_at), ex=settings.PAGE_CACHE_SECONDS + 60)
        pipeline.sunion(sets)
        pages = pipeline.execute()[-1]
        pipeline = client.pipeline(transaction=False)
        pipeline.delete(*pages, *sets)
        pipeline.publish(CHANNEL, " ".join(sorted(keys)))  # every process drops its copies
        pipeline.execute()


class LocalIndex:
    """The same for a cache that lives in this process (locmem), where a dictionary is exact."""

    def __init__(self, django_cache) -> None:
        self.cache = django_cache
        self.lock = threading.Lock()
        self.pages: dict[str, set[str]] = {}
        self.changed: dict[str, float] = {}

    def store(self, address: str, value, keys: set[str], seconds: int, *, rendered_since: float):
        with self.lock:
            if any(self.changed.get(key, 0.0) >= rendered_since for key in keys):
                return
            self.cache.set(address, value, seconds)
            for key in keys:
                self.pages.setdefault(key, set()).add(address)

    def drop(self, keys: set[str], *, changed_at: float) -> None:
        with self.lock:
            pages = set()
            for key in keys:
                self.changed[key] = changed_at
                pages |= self.pages.pop(key, set())
            self.cache.delete_many(pages)


_local_indexes: dict[int, LocalIndex] = {}
_process_copies = PageCopies(
    max_entries=settings.PAGE_CACHE_COPIES, max_age=settings.PAGE_CACHE_SECONDS
)


def _is_redis(django_cache) -> bool:
    return type(django_cache).__module__.startswith("django_redis")


def forget_copies() -> None:
    """Drop this process's copies (after the cache was emptied by hand: no change announced it)."""
    _process_copies.clear()


def _copies() -> PageCopies | None:
    """This process's copies, listening for changes; None without Redis (a cache of the
    process's own needs none) or when PAGE_CACHE_COPIES is 0."""
    if not settings.PAGE_CACHE_COPIES or not _is_redis(caches["default"]):
        return None
    _process_copies.listen(lambda: caches["default"].client.get_client(write=False))
    return _process_copies


def _index() -> RedisIndex | LocalIndex:
    """The index for the default cache as configured now (tests swap caches)."""
    current = caches["default"]
    if _is_redis(current):
        return RedisIndex(current)
    # Each thread has its own cache object; local-memory ones share one dictionary per location.
    store = getattr(current, "_cache", current)
    index = _local_indexes.get(id(store))
    if index is None:
        index = _local_indexes[id(store)] = LocalIndex(current)
    return index
