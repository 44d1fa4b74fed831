from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        from articles.signals import demo_content_seeded
        from careers_site import personal_data

        from . import receivers  # noqa: F401 - connects the page-cache receivers
        from .demo import seed_demo_comments
        from .services import personal_data_erase, personal_data_export

        personal_data.register("comments", export=personal_data_export, erase=personal_data_erase)
        demo_content_seeded.connect(seed_demo_comments, dispatch_uid="comments.seed_demo")
