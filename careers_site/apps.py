from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CareersSiteConfig(AppConfig):
    """The project package as an app, for commands that span every app (personal_data)."""

    default = True
    name = "careers_site"
    verbose_name = "careers_site"


class CareersAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that limits login attempts."""

    default = False
    default_site = "careers_site.admin.CareersAdminSite"
