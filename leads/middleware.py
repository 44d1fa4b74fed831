import logging

from django.core import signing
from django.http import HttpRequest, HttpResponse

from .attribution import Attribution, attribution_update

logger = logging.getLogger(__name__)

COOKIE_NAME = "leads_visit"
COOKIE_SALT = "leads.attribution"
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")


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
        if updated is not None:
            response.set_cookie(
                COOKIE_NAME,
                signing.dumps(updated.as_dict(), salt=COOKIE_SALT, compress=True),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
