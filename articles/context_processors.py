from uuid import uuid4

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Category
from .page_cache import FRAGMENT_CACHE, content_generation


def _categories(request: HttpRequest) -> list[dict]:
    """Names and addresses of the categories, shared through the cache per content generation."""
    generation = content_generation(request)
    key = f"navigation:categories:{generation}"
    fragments = caches[FRAGMENT_CACHE]
    categories = fragments.get(key) if generation else None
    if categories is None:
        categories = [
            {"name": category.name, "get_absolute_url": category.get_absolute_url()}
            for category in Category.objects.all()
        ]
        if generation:
            fragments.set(key, categories, timeout=settings.FRAGMENT_CACHE_SECONDS)
    return categories


def navigation(request: HttpRequest) -> dict:
    """Categories for the header, fetched only by pages that show the header; and what the
    templates' `{% cache %}` fragments are keyed on (the content generation, read when used)."""
    return {
        "nav_categories": SimpleLazyObject(lambda: _categories(request)),
        # 0 when the cache cannot be read: then a key of its own, so no stale fragment is reused.
        "content_generation": SimpleLazyObject(
            lambda: content_generation(request) or f"uncached-{uuid4().hex}"
        ),
        "FRAGMENT_CACHE_SECONDS": settings.FRAGMENT_CACHE_SECONDS,
    }
