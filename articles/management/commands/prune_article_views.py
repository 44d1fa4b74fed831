from django.core.management.base import BaseCommand

from articles.services import article_views_prune


class Command(BaseCommand):
    help = "Forget the visitor keys of article views older than 24 hours (run daily)."

    def handle(self, *args, **options):
        deleted = article_views_prune()
        self.stdout.write(f"Forgot {deleted} visitor key(s) older than 24 hours.")
