from django.core.management.base import BaseCommand

from comments.models import Notification
from comments.services import notifications_send_pending


class Command(BaseCommand):
    help = (
        "Send the comment e-mails still pending (for instance after the mail server was down). "
        "Run it every few minutes from cron; --all ignores the wait between attempts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Retry every pending e-mail now.")

    def handle(self, *args, **options):
        sent = notifications_send_pending(force=options["all"])
        pending = Notification.objects.filter(status=Notification.Status.PENDING).count()
        self.stdout.write(f"Comment e-mails sent: {sent}; still pending: {pending}.")
