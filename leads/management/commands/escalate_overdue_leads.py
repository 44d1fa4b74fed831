from django.core.management.base import BaseCommand

from leads.services import leads_escalate_overdue


class Command(BaseCommand):
    help = (
        "Tell each program's lead coach about requests nobody contacted within the first-contact "
        "target (once a request). Each request schedules its own check; run this every few "
        "minutes from cron to catch up where the task backend cannot schedule (or was down)."
    )

    def handle(self, *args, **options):
        escalated = leads_escalate_overdue()
        self.stdout.write(f"Escalated {escalated} lead(s) waiting longer than the target.")
