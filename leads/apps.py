from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Information requests"

    def ready(self) -> None:
        from articles.signals import demo_content_seeded
        from careers_site import personal_data

        from . import demo, receivers  # noqa: F401 - receivers connects the consent cache
        from . import personal_data as leads_personal_data

        personal_data.register(
            "leads", export=leads_personal_data.export, erase=leads_personal_data.erase
        )
        demo_content_seeded.connect(demo.seed, dispatch_uid="leads.demo.seed")
