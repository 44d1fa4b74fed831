from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Category


def navigation(request: HttpRequest) -> dict:
    """Categories for the header and footer, fetched only by pages that show them (every shared
    page carries the `site` key, which a change of category drops)."""
    return {
        "nav_categories": SimpleLazyObject(
            lambda: list(Category.objects.values("name", "slug").order_by("position", "name"))
        ),
    }
