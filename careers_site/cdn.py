"""Purging the CDN in front of the site by surrogate key (cdn/default.vcl).

Shared pages name what they show in their Surrogate-Key header ("article-12 articles home"). When
that content changes, the app calls purge() with the same keys once the transaction has committed,
and every cache in CDN_PURGE_URLS forgets the pages that carry any of them.
"""

import http.client
import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

KEY = re.compile(r"[a-z0-9][a-z0-9-]*")  # whole keys only: fullmatch (no "$" before a newline)
# Varnish refuses request headers over 8 kB (http_req_hdr_len): many keys go in several requests.
MAX_HEADER_LENGTH = 4000


def purge(keys: Iterable[str]) -> None:
    """Ask each cache in CDN_PURGE_URLS to forget the pages tagged with any of these keys.

    Never raises: a cache that is down or refuses is logged, and its pages expire on their own
    (s-maxage). Keys that are not surrogate keys are logged and left out.
    """
    urls = getattr(settings, "CDN_PURGE_URLS", [])
    if not urls:
        return
    valid = set()
    for key in keys:
        if isinstance(key, str) and KEY.fullmatch(key):
            valid.add(key)
        else:
            logger.warning("Not a surrogate key, not purged: %r", key)
    if not valid:
        return
    timeout = getattr(settings, "CDN_PURGE_TIMEOUT", 1.0)
    for header in _headers(sorted(valid)):
        for url in urls:
            _send_purge(url, header, timeout=timeout)


def _headers(keys: list[str]) -> Iterable[str]:
    batch: list[str] = []
    length = 0
    for key in keys:
        if batch and length + 1 + len(key) > MAX_HEADER_LENGTH:
            yield " ".join(batch)
            batch, length = [], 0
        batch.append(key)
        length += len(key) + 1
    if batch:
        yield " ".join(batch)


def _send_purge(url: str, surrogate_key: str, *, timeout: float) -> None:
    # http.client rather than urllib: no proxy from the environment, no redirect followed.
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request("PURGE", parts.path or "/", headers={"Surrogate-Key": surrogate_key})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
    except Exception as error:  # a purge must never break the change that asked for it
        logger.warning("CDN purge of %s failed: %s", url, error or type(error).__name__)
        return
    if response.status != 200:
        logger.warning("CDN purge of %s refused: %s %s", url, response.status, response.reason)
