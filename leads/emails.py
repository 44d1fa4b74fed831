"""The two e-mails each request sends: a confirmation to the person, a notification to coaches."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import CoachEmail, Submission


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


COACH_EMAIL_SUBJECTS = {
    CoachEmail.Kind.ASSIGNED: "New lead for you: {name} ({program})",
    CoachEmail.Kind.ESCALATED: "Not contacted within the target: {name} ({program})",
}


def coach_email_message(email: CoachEmail) -> EmailMultiAlternatives:
    """A plain-text e-mail to a coach about a lead, with the link to its page in admin."""
    from .models import ContactTarget

    lead = email.lead
    program = lead.program.name if lead.program else "no program"
    subject = COACH_EMAIL_SUBJECTS[email.kind].format(name=lead.full_name, program=program)
    context = {
        "lead": lead,
        "email": email,
        "program": program,
        "target": ContactTarget.current(),
        "SITE_NAME": settings.SITE_NAME,
        "admin_url": settings.SITE_URL + lead.get_admin_url(),
        "queue_url": settings.SITE_URL + "/admin/leads/lead/queue/",
    }
    return EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=render_to_string(f"leads/email/coach_{email.kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
    )
