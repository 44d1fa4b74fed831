"""Who is reading: a keyed, non-reversible visitor key, and which requests count as a view."""

import hashlib
import hmac
import re

from django.conf import settings
from django.http import HttpRequest

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|fetch|scrape|preview|monitor|lighthouse|headless|phantom|"
    r"facebookexternalhit|embedly|quora link|curl|wget|python-|httpx|aiohttp|okhttp|java/|"
    r"go-http-client|libwww|feed",
    re.IGNORECASE,
)
PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def visitor_key(request: HttpRequest) -> str:
    """HMAC of the client address and browser: the same visitor gets the same key, no IP is kept."""
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")
    message = f"article-view|{address}|{agent}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


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
