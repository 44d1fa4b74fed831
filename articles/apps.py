from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Publication"

    def ready(self) -> None:
        from careers_site.page_cache import before_pages

        from . import receivers, site_page_admin  # noqa: F401
        from .publication import publish_due_articles
        from .revisions import register

        # Before any page is answered, even from a copy: scheduled articles appear on time.
        before_pages(publish_due_articles)
        register()
