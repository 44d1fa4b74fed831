import logging

from django.core import signing
from django.http import HttpRequest, HttpResponse

from .attribution import MAX_URL_LENGTH, MAX_VALUE_LENGTH, Attribution, attribution_update

logger = logging.getLogger(__name__)

COOKIE_NAME = "leads_visit"
COOKIE_SALT = "leads.attribution"
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
# Browsers keep cookies of up to 4096 bytes, name and attributes included.
MAX_COOKIE_BYTES = 3800
SHRINK_STEPS = ((MAX_VALUE_LENGTH, MAX_URL_LENGTH), (100, 300), (50, 200), (20, 100))


def read_attribution(request: HttpRequest) -> Attribution:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return Attribution()
    try:
        return Attribution.from_dict(signing.loads(raw, salt=COOKIE_SALT))
    except (signing.BadSignature, ValueError):
        return Attribution()


class AttributionMiddleware:
    """Remembers UTM parameters and the landing referrer of a visit, on any page a reader lands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "GET" or request.path.startswith(SKIPPED_PREFIXES):
            return response
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return response
        if (
            not request.META.get("HTTP_REFERER")
            and "utm" not in request.META.get("QUERY_STRING", "").lower()
        ):
            return response  # no campaign and no referrer: nothing to remember (most page views)
        current = read_attribution(request)
        try:
            updated = attribution_update(
                current,
                query=request.GET,
                referrer=request.META.get("HTTP_REFERER", ""),
                path=request.get_full_path(),
                host=request.get_host(),
            )
        except Exception:  # attribution must never break a page
            logger.exception("Could not record the visit's attribution")
            return response
        value = cookie_value(updated) if updated is not None else None
        if value is not None:
            response.set_cookie(
                COOKIE_NAME, value, httponly=True, samesite="Lax", secure=request.is_secure()
            )
        return response


def cookie_value(attribution: Attribution) -> str | None:
    """The signed cookie, cut until it fits: browsers drop a cookie over 4 kB, and long campaign
    values in other scripts (six bytes each as JSON escapes) can reach that. Each step keeps
    shorter UTM values and addresses; None if even the shortest do not fit."""
    for value_length, url_length in SHRINK_STEPS:
        shrunk = Attribution(
            first={key: value[:value_length] for key, value in attribution.first.items()},
            last={key: value[:value_length] for key, value in attribution.last.items()},
            referrer=attribution.referrer[:url_length],
            landing_page=attribution.landing_page[:url_length],
        )
        value = signing.dumps(shrunk.as_dict(), salt=COOKIE_SALT, compress=True)
        if len(value) <= MAX_COOKIE_BYTES:
            return value
    logger.warning("The visit's attribution does not fit in a cookie: not remembered")
    return None
