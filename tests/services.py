"""What the tests know about the services this machine runs (PostgreSQL, Redis)."""

import socket


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def use_redis_cache(settings, location: str) -> None:
    """Make the production cache (django-redis) the default cache, at `location` (a database of
    its own: tests flush it); skipped where Redis does not run, except in CI."""
    import os

    import pytest

    if not redis_available() and not os.environ.get("CI"):
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
