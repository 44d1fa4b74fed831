from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Category, SitePage


def navigation(request: HttpRequest) -> dict:
    """Categories for the header and footer and the site pages linked from the footer, fetched
    only by pages that show them (every shared page carries the `site` key, which a change of
    category or of a footer link drops)."""
    return {
        "nav_categories": SimpleLazyObject(
            lambda: list(Category.objects.values("name", "slug").order_by("position", "name"))
        ),
        "footer_pages": SimpleLazyObject(
            lambda: list(SitePage.objects.in_footer().values("title", "slug"))
        ),
    }
