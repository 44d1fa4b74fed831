from uuid import uuid4

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Category
from .page_cache import content_generation


def navigation(request: HttpRequest) -> dict:
    """Categories for the header, fetched only by pages that show the header; and what the
    templates' `{% cache %}` fragments are keyed on (the content generation, read when used)."""
    return {
        "nav_categories": SimpleLazyObject(lambda: list(Category.objects.all())),
        # 0 when the cache cannot be read: then a key of its own, so no stale fragment is reused.
        "content_generation": SimpleLazyObject(
            lambda: content_generation(request) or f"uncached-{uuid4().hex}"
        ),
        "FRAGMENT_CACHE_SECONDS": settings.FRAGMENT_CACHE_SECONDS,
    }
