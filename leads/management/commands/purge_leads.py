from django.conf import settings
from django.core.management.base import BaseCommand

from leads.services import leads_purge


class Command(BaseCommand):
    help = (
        "Delete leads closed (enrolled or not interested) for longer than LEADS_RETENTION_DAYS, "
        "with their requests, notes and consent records. Run it daily."
    )

    def handle(self, *args, **options):
        deleted = leads_purge()
        self.stdout.write(
            f"Deleted {deleted} lead(s) closed more than {settings.LEADS_RETENTION_DAYS} days ago."
        )
