"""Background jobs: the two e-mails and the CRM webhook of each request, retried with back-off.

A retry is the same task enqueued again with `run_after`. Backends that cannot defer (the immediate
backend of the tests) get no automatic retry; `manage.py send_pending_notifications` catches up.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .services import (
    coach_email_send,
    lead_escalate,
    retry_delay,
    submission_emails_send,
    submission_webhook_send,
)

logger = logging.getLogger(__name__)


def enqueue_retry(job, *, attempt: int, **kwargs) -> bool:
    backend = job.get_backend()
    if not backend.supports_defer:
        logger.info("%s: no automatic retry on this task backend", job.name)
        return False
    run_after = timezone.now() + retry_delay(attempt)
    job.using(run_after=run_after).enqueue(attempt=attempt + 1, **kwargs)
    return True


def run_later(job, *, at, **kwargs) -> bool:
    """Run the job at `at` where the backend can defer; elsewhere `manage.py
    escalate_overdue_leads` (cron) does the same work."""
    if not job.get_backend().supports_defer:
        return False
    job.using(run_after=at).enqueue(**kwargs)
    return True


@task()
def deliver_submission_emails(submission_id: int, attempt: int = 1) -> bool:
    delivered = submission_emails_send(submission_id=submission_id)
    if not delivered and attempt < settings.LEADS_EMAIL_MAX_ATTEMPTS:
        enqueue_retry(deliver_submission_emails, attempt=attempt, submission_id=submission_id)
    return delivered


@task()
def deliver_submission_webhook(submission_id: int, attempt: int = 1) -> bool:
    delivered = submission_webhook_send(submission_id=submission_id, attempt=attempt)
    if not delivered and attempt < settings.LEADS_WEBHOOK_MAX_ATTEMPTS:
        enqueue_retry(deliver_submission_webhook, attempt=attempt, submission_id=submission_id)
    return delivered


@task()
def deliver_coach_email(email_id: int, attempt: int = 1) -> bool:
    delivered = coach_email_send(email_id=email_id)
    if not delivered and attempt < settings.LEADS_EMAIL_MAX_ATTEMPTS:
        enqueue_retry(deliver_coach_email, attempt=attempt, email_id=email_id)
    return delivered


@task()
def escalate_lead_when_due(lead_id: int, due: str) -> None:
    """At the time a request goes over the first-contact target (`due`, ISO 8601): tell the lead
    coach if nobody has contacted the person. If the target was raised since, look again at the
    later time; never sooner, so a backend that runs the job early cannot loop."""
    again = lead_escalate(lead_id=lead_id)
    if again is not None and again > datetime.fromisoformat(due):
        run_later(escalate_lead_when_due, at=again, lead_id=lead_id, due=again.isoformat())
