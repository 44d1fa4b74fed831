import logging
from collections.abc import Callable

from csp.utils import build_policy
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
PAGE_UNAVAILABLE = (
    "This page is briefly unavailable because of a problem on our side. "
    "Please try again in a minute."
)
NOT_SAVED = (
    "What you sent could not be saved just now, because of a problem on our side. "
    "Please send it again in a minute."
)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (django-csp's settings and policy builder) and a
    Permissions-Policy that turns off browser features the site never uses (camera, microphone,
    geolocation...). Both are the same on every response (no nonces: no inline script or style
    anywhere), so each is built once, not per response as django-csp's middleware does (a third
    of a millisecond, as much as a cached page costs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": build_policy(),
            "Permissions-Policy": ", ".join(
                f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY
            ),
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.setdefault(name, value)
        return response


class DatabaseUnavailableMiddleware:
    """A view (or its template) that cannot reach the database answers a friendly 503 page.

    The page is rendered without a request, so no context processor queries the database that is
    gone; `Retry-After` tells clients and crawlers when to come back. Connections are re-checked
    before reuse (`conn_health_checks`), so the site recovers by itself when the database returns.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable, answered 503: %s %s", request.method, request.path,
            exc_info=exception,
        )  # fmt: skip
        return database_unavailable_response(request)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    is_read = request.method in ("GET", "HEAD")
    message = PAGE_UNAVAILABLE if is_read else NOT_SAVED
    if "application/json" in request.headers.get("Accept", ""):
        # The information-request dialog shows this message and keeps what was typed.
        response = JsonResponse({"ok": False, "message": message}, status=503)
    else:
        context = {
            "SITE_NAME": settings.SITE_NAME,
            "message": message,
            "retry_url": request.get_full_path() if is_read else "",
        }
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
