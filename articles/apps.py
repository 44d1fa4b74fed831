from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Publication"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
        from .revisions import register

        register()
