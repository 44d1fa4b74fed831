from django.conf import settings
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "canonical_url": canonical_url(request),
    }


def canonical_url(request: HttpRequest) -> str:
    """The page's absolute address on SITE_URL: tracking and other parameters dropped, except a
    page number past the first, so each page of a list is its own canonical page."""
    url = settings.SITE_URL + escape_uri_path(request.path)  # a NUL or space stays %-encoded
    page = request.GET.get("page", "").lstrip("0")
    # No list has a billion pages; longer digit strings (past 4,300 int() refuses) name no page.
    if page.isascii() and page.isdigit() and len(page) < 10 and int(page) > 1:
        url += f"?page={int(page)}"
    return url
