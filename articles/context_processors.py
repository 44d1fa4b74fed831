from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Category


def navigation(request: HttpRequest) -> dict:
    """Categories for the header, fetched only by pages that show the header."""
    return {"nav_categories": SimpleLazyObject(lambda: list(Category.objects.all()))}
