from django.core.management.base import BaseCommand
from django.db.models import Q

from leads.models import CoachEmail, Submission
from leads.services import coach_email_send, submission_emails_send, submission_webhook_send


class Command(BaseCommand):
    help = (
        "Send the e-mails and webhook calls still pending (after the mail server or the CRM was "
        "down). Safe to run at any time, e.g. every few minutes from cron."
    )

    def handle(self, *args, **options):
        pending = Submission.Delivery.PENDING
        email_ids = Submission.objects.filter(
            Q(confirmation_status=pending) | Q(notification_status=pending)
        ).values_list("pk", flat=True)
        sent = failed = 0
        for submission_id in list(email_ids):
            if submission_emails_send(submission_id=submission_id):
                sent += 1
            else:
                failed += 1
        hooks_sent = hooks_failed = 0
        for submission in Submission.objects.filter(webhook_status=pending).only("pk"):
            attempt = submission.webhook_deliveries.count() + 1
            if submission_webhook_send(submission_id=submission.pk, attempt=attempt):
                hooks_sent += 1
            else:
                hooks_failed += 1
        coach_ids = list(CoachEmail.objects.filter(status=pending).values_list("pk", flat=True))
        coach_done = sum(coach_email_send(email_id=email_id) for email_id in coach_ids)
        self.stdout.write(
            f"Coach e-mails: {coach_done} of {len(coach_ids)} pending sent or given up. "
            f"E-mails: {sent} request(s) done, {failed} still pending. "
            f"Webhook: {hooks_sent} delivered, {hooks_failed} still pending or given up."
        )
