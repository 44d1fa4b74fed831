import logging

import pytest
from django.core.cache import cache

from articles.publication import forget_reading
from careers_site.page_cache import forget_copies


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SITE_URL = "https://careers.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cache.clear()  # cached pages and counters from an earlier test are gone
    forget_reading()  # and this process's reading of the next scheduled publication
    forget_copies()  # and its copies of pages read from Redis


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="pw", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outage_log(caplog):
    """The log of a cache outage, from its first line (settings.LOGGING lets one a minute out)."""
    (outage_filter,) = logging.getLogger("careers_site.cache.outage").filters
    outage_filter._logged_at, outage_filter._left_out = float("-inf"), 0
    caplog.set_level(logging.WARNING, logger="careers_site.cache.outage")
    return caplog
