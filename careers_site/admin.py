"""The admin site, with its login limited against password guessing."""

import contextlib

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from articles.visitors import client_address, keyed_hash
from careers_site.cache import count_hit


def _login_key(request: HttpRequest) -> str:
    return f"admin-login-failures:{keyed_hash('admin-login', client_address(request))[:32]}"


def login_failures(request: HttpRequest) -> int:
    try:
        return int(cache.get(_login_key(request), 0))
    except Exception:  # a cache outage must not lock staff out
        return 0


@receiver(user_login_failed, dispatch_uid="count_admin_login_failures")
def count_login_failure(sender, credentials, request: HttpRequest | None = None, **kwargs) -> None:
    if request is None:
        return
    with contextlib.suppress(Exception):  # a cache outage must not break the login page
        count_hit(_login_key(request), settings.ADMIN_LOGIN_LOCKOUT_SECONDS)


class CareersAdminSite(admin.AdminSite):
    site_header = f"{settings.SITE_NAME} administration"
    site_title = settings.SITE_NAME
    index_title = "Publishing"

    def get_app_list(self, request: HttpRequest, app_label=None):
        """A model admin may add a few words to its name in the app lists (the index and the
        sidebar), such as the size of a queue, through `app_list_note(request)`; the model's own
        names (breadcrumbs, titles, buttons) are left alone."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for entry in app["models"]:
                note = getattr(self._registry.get(entry["model"]), "app_list_note", None)
                text = note(request) if note else ""
                if text:
                    entry["name"] = f"{entry['name']} ({text})"
        return app_list

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if (
            request.method == "POST"
            and login_failures(request) >= settings.ADMIN_LOGIN_MAX_FAILURES
        ):
            return TemplateResponse(
                request,
                "admin/login_locked.html",
                {
                    **self.each_context(request),
                    "title": "Too many attempts",
                    "minutes": settings.ADMIN_LOGIN_LOCKOUT_SECONDS // 60,
                },
                status=429,
            )
        return super().login(request, extra_context)
