"""The two e-mails each request sends: a confirmation to the person, a notification to coaches."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Submission


def _context(submission: Submission) -> dict:
    return {
        "submission": submission,
        "lead": submission.lead,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "admin_url": settings.SITE_URL + submission.lead.get_admin_url(),
    }


def confirmation_email(submission: Submission) -> EmailMultiAlternatives:
    context = _context(submission)
    message = EmailMultiAlternatives(
        subject=f"Thank you for your interest in {settings.SITE_NAME}",
        body=render_to_string("leads/email/confirmation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[submission.email],
    )
    message.attach_alternative(
        render_to_string("leads/email/confirmation.html", context), "text/html"
    )
    return message


def notification_email(submission: Submission) -> EmailMultiAlternatives:
    context = _context(submission)
    program = submission.program.name if submission.program else "no program"
    name = f"{submission.first_name} {submission.last_name}"
    return EmailMultiAlternatives(
        subject=" ".join(f"New information request: {name} ({program})".split())[:200],
        body=render_to_string("leads/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(settings.LEADS_NOTIFY_EMAILS),
    )
