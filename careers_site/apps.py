from django.apps import AppConfig


class CareersSiteConfig(AppConfig):
    """The project package as an app, for commands that span every app (personal_data)."""

    name = "careers_site"
    verbose_name = "careers_site"
