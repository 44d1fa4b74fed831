"""Work that a new process would otherwise do on its first requests, done once when the application
loads: in gunicorn's master (`preload_app`), so that every worker forked from it, including each
one recycled after GUNICORN_MAX_REQUESTS, starts with it done.

Without it the first comment or information request a worker handled took 150 to 300 ms instead
of 6 to 10: importing the views and forms, filling the URL resolver, compiling the e-mail and web
address validators' patterns (40 ms for the e-mail domain pattern alone) and the templates. It
touches neither the database nor the cache, so nothing opened here is shared with the workers.
"""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.validators import URLValidator, validate_email
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt")


def warm_up() -> float:
    """Imports, patterns and templates made ready before the first request; returns seconds."""
    started = time.perf_counter()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every URLconf, and the views, forms and services
    resolver.reverse_dict  # noqa: B018 - the reverse lookup tables, built on first access
    validate_email("reader@example.com")
    URLValidator()("https://example.com/")
    for name in project_templates():
        try:
            get_template(name)  # compiled once and kept by the cached template loader
        except (TemplateDoesNotExist, TemplateSyntaxError):  # pragma: no cover - a broken file
            logger.exception("Template %s could not be compiled at start-up", name)
    return time.perf_counter() - started


def project_templates() -> list[str]:
    """The names of the project's own templates (templates/), which every page is made of."""
    names = []
    for directory in map(Path, settings.TEMPLATES[0]["DIRS"]):
        for path in sorted(directory.rglob("*")):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                names.append(path.relative_to(directory).as_posix())
    return names
