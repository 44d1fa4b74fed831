"""This process's copies of the shared pages it read from Redis (careers_site/page_cache.py).

On this machine a Redis round trip costs a cached page two thirds of its time (a fifth of a
millisecond of system calls out of three tenths); a copy in the process costs nothing of the
sort. A copy is exact, not "fresh enough": every change of keys is published on a Redis channel
(`page_cache.pages_changed`) and a thread of each process drops the copies that carry those keys
as soon as the message comes. While that thread is not subscribed (starting, or Redis gone) no
copy is used or kept, and when it subscribes again it starts from none, so a change it could
not hear of never leaves a copy behind. A copy read from Redis across a change is not kept either.
"""

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

logger = logging.getLogger(__name__)

CHANNEL = "careers_site:pages-changed"
RETRY_SECONDS = 1.0


class PageCopies:
    def __init__(self, max_entries: int, max_age: float) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, tuple[float, object, tuple[str, ...]]] = OrderedDict()
        self.by_key: dict[str, set[str]] = {}
        self.changes = 0  # changes heard of: a copy read across one is not kept
        self.listening = False
        self.listener: threading.Thread | None = None
        self.listener_pid = 0

    def get(self, address: str):
        if not self.listening:
            return None
        with self.lock:
            item = self.pages.get(address)
            if item is None:
                return None
            if item[0] < time.monotonic():
                self._forget(address)
                return None
            self.pages.move_to_end(address)
            return item[1]

    def keep(self, address: str, stored, keys: Iterable[str], changes_before: int) -> None:
        """Keep a page read from Redis, unless a change came since `changes_before`."""
        with self.lock:
            if not self.listening or self.changes != changes_before:
                return
            self._forget(address)
            keys = tuple(keys)
            self.pages[address] = (time.monotonic() + self.max_age, stored, keys)
            for key in keys:
                self.by_key.setdefault(key, set()).add(address)
            while len(self.pages) > self.max_entries:
                self._forget(next(iter(self.pages)))

    def drop(self, keys: Iterable[str]) -> None:
        with self.lock:
            self.changes += 1
            for key in keys:
                for address in self.by_key.pop(key, set()):
                    self._forget(address)

    def clear(self) -> None:
        with self.lock:
            self.changes += 1
            self.pages.clear()
            self.by_key.clear()

    def _forget(self, address: str) -> None:
        item = self.pages.pop(address, None)
        if item is None:
            return
        for key in item[2]:
            addresses = self.by_key.get(key)
            if addresses is not None:
                addresses.discard(address)
                if not addresses:
                    del self.by_key[key]

    # The listener: one thread per process, started on first use (after gunicorn forks).

    def listen(self, redis_client_factory) -> None:
        if self.listener is not None and self.listener_pid == os.getpid():
            return
        with self.lock:
            if self.listener is not None and self.listener_pid == os.getpid():
                return
            self.listening = False
            self.listener_pid = os.getpid()
            self.listener = threading.Thread(
                target=self._listen, args=(redis_client_factory,), name="page-copies", daemon=True
            )
            self.listener.start()

    def _listen(self, redis_client_factory) -> None:
        while True:
            pubsub = None
            try:
                pubsub = redis_client_factory().pubsub()
                pubsub.subscribe(CHANNEL)
                confirmed = pubsub.get_message(timeout=5)
                if not confirmed or confirmed.get("type") != "subscribe":
                    raise ConnectionError("no subscription confirmed")
                self.clear()
                self.listening = True
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self.drop(message["data"].decode().split())
            except Exception as error:  # Redis gone: no copy is used until it is back
                logger.debug("Page copies: not subscribed (%s)", error)
            finally:
                self.listening = False
                self.clear()
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # already gone
                        pubsub.close()
            time.sleep(RETRY_SECONDS)
