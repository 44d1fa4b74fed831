from django.conf import settings
from django.core.management.base import BaseCommand

from comments.services import client_hashes_forget


class Command(BaseCommand):
    help = "Forget the client hashes of comments older than COMMENTS_CLIENT_HASH_DAYS (run daily)."

    def handle(self, *args, **options):
        count = client_hashes_forget()
        self.stdout.write(
            f"Forgot the client hash of {count} comment(s) older than "
            f"{settings.COMMENTS_CLIENT_HASH_DAYS} days."
        )
