import pytest
from django.core.cache import cache, caches

from articles.page_cache import forget_reading


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
    settings.CONTENT_GENERATION_CHECK_SECONDS = 0  # tests/test_fragments.py checks the delay
    cache.clear()  # cached pages and counters from an earlier test are gone
    caches["template_fragments"].clear()  # and this process's copies of fragments
    forget_reading()  # and of the content generation


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="pw", is_staff=True, is_superuser=True
    )
