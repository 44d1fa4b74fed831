"""Stand-ins for the services a request depends on, to prove what happens when they fail."""

from django.core.cache.backends.locmem import LocMemCache
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend
from django_tasks.backends.immediate import ImmediateBackend


class FailingEmailBackend(LocMemBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class FlakyEmailBackend(LocMemBackend):
    """Down for the first `failures` sends, then back."""

    failures = 0

    def send_messages(self, messages):
        if FlakyEmailBackend.failures > 0:
            FlakyEmailBackend.failures -= 1
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


class DeferringImmediateBackend(ImmediateBackend):
    """Accepts `run_after` like the database backend but runs at once, so retries run in-test."""

    supports_defer = True


class BrokenCache(LocMemCache):
    def _fail(self, *args, **kwargs):
        raise ConnectionError("cache is down")

    get = add = incr = set = _fail
