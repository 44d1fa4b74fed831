"""Who is reading: a keyed, non-reversible visitor key, and which requests count as a view."""

import hashlib
import hmac
import re
import time

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|fetch|scrape|preview|monitor|lighthouse|headless|phantom|"
    r"facebookexternalhit|embedly|quora link|curl|wget|python-|httpx|aiohttp|okhttp|java/|"
    r"go-http-client|libwww|feed",
    re.IGNORECASE,
)
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets (CLIENT_IP_HEADER).

    Used to tell clients apart, never stored: everything kept is a `keyed_hash` of it.
    """
    header = settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 with the secret key: the same value gives the same key for one purpose, and
    the value (an address) cannot be read back from it."""
    message = f"{purpose}|{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def form_shown_token(salt: str, now: float | None = None) -> str:
    """When a form was shown, signed: the time trap that tells bots (instant posts) from people."""
    return signing.dumps(now if now is not None else time.time(), salt=salt)


def seconds_since_shown(token: str, salt: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown, or None when the token is missing or forged."""
    try:
        shown_at = signing.loads(token or "", salt=salt)
    except signing.BadSignature:
        return None
    if isinstance(shown_at, bool) or not isinstance(shown_at, int | float):
        return None
    return (now if now is not None else time.time()) - shown_at


def visitor_key(request: HttpRequest) -> str:
    """The same visitor (address and browser) gets the same key; no IP is kept."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return keyed_hash("article-view", f"{client_address(request)}|{agent}")


def is_bot(request: HttpRequest) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "").strip()
    return not agent or bool(BOT_USER_AGENT.search(agent))


def is_prefetch(request: HttpRequest) -> bool:
    return any(
        "prefetch" in request.META.get(header, "").lower()
        or "prerender" in request.META.get(header, "").lower()
        for header in PREFETCH_HEADERS
    )


def is_countable_view(request: HttpRequest) -> bool:
    """A real reader's view: a POSTed beacon from a browser, not a bot, staff or a prefetch."""
    if request.method != "POST":
        return False
    if getattr(request, "user", None) is not None and request.user.is_staff:
        return False
    return not (is_bot(request) or is_prefetch(request))
