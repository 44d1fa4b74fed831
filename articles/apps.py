from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Publication"

    def ready(self) -> None:
        from . import receivers, site_page_admin  # noqa: F401
