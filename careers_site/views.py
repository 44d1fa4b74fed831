import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the state of database and cache; 503 when the database cannot be reached.

    The cache is reported but does not fail the check: the site keeps serving without it.
    """
    state = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        state["database"] = "unavailable"
    try:
        probe = uuid.uuid4().hex
        cache.set("healthz", probe, 10)
        if cache.get("healthz") != probe:
            state["cache"] = "unavailable"
    except Exception:
        logger.exception("Health check: cache unreachable")
        state["cache"] = "unavailable"
    status = 200 if state["database"] == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "unavailable", **state}, status=status
    )


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (admin's, files): the site's."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
