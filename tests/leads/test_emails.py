import socket

import pytest
from django.core import mail
from django.core.management import call_command

from leads.models import Submission
from tests.articles.factories import ArticleFactory

from .doubles import FlakyEmailBackend
from .factories import ProgramFactory, form_data

pytestmark = pytest.mark.django_db

COACHES = ["coach1@careers.example", "coach2@careers.example"]


@pytest.fixture(autouse=True)
def _notify(settings):
    settings.LEADS_NOTIFY_EMAILS = COACHES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def submit(client, django_capture_on_commit_callbacks, **overrides):
    program = overrides.pop("program", None) or ProgramFactory(name="Data Science Certificate")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/get-info/", form_data(program, **overrides), headers={"Accept": "application/json"}
        )
    return response


def test_confirmation_goes_to_the_person_in_text_and_html(
    client, django_capture_on_commit_callbacks
):
    submit(client, django_capture_on_commit_callbacks)

    confirmation = next(m for m in mail.outbox if m.to == ["Grace.Hopper@Example.com"])
    assert "Hello Grace," in confirmation.body
    assert "Data Science Certificate" in confirmation.body
    assert "within one business day" in confirmation.body
    html, mimetype = confirmation.alternatives[0]
    assert mimetype == "text/html"
    assert "<strong>Data Science Certificate</strong>" in html
    assert "admin" not in confirmation.body  # nothing for staff in the person's e-mail


def test_notification_goes_to_every_coach_address_with_a_link_to_the_lead_in_admin(
    client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="How to become an ML engineer")
    submit(client, django_capture_on_commit_callbacks, article=article.slug)

    notification = next(m for m in mail.outbox if m.to == COACHES)
    submission = Submission.objects.get()
    assert "Grace Hopper" in notification.subject
    assert "Data Science Certificate" in notification.subject
    assert "Grace.Hopper@Example.com" in notification.body
    assert "+442079460958" in notification.body
    assert "How to become an ML engineer" in notification.body
    assert (
        f"https://careers.example/admin/leads/lead/{submission.lead_id}/change/"
        in notification.body
    )
    assert len(mail.outbox) == 2
    assert (submission.confirmation_status, submission.notification_status) == ("sent", "sent")


def test_no_notification_is_pending_when_nobody_is_to_be_told(
    client, django_capture_on_commit_callbacks, settings
):
    settings.LEADS_NOTIFY_EMAILS = []
    submit(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert Submission.objects.get().notification_status == "skipped"


def test_mail_server_down_still_thanks_the_person_and_keeps_the_emails_pending(
    client, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2

    response = submit(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.json()["ok"] is True
    submission = Submission.objects.get()
    assert submission.confirmation_status == Submission.Delivery.PENDING
    assert submission.notification_status == Submission.Delivery.PENDING
    assert submission.email_attempts == 1
    assert "Connection" in submission.last_email_error


def test_pending_emails_are_delivered_by_the_command_once_the_server_is_back(
    client, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
    submit(client, django_capture_on_commit_callbacks)
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert sorted(m.to[0] for m in mail.outbox) == sorted(["Grace.Hopper@Example.com", COACHES[0]])
    submission = Submission.objects.get()
    assert (submission.confirmation_status, submission.notification_status) == ("sent", "sent")

    call_command("send_pending_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2  # never sent twice


def test_failed_email_is_retried_automatically_with_a_deferred_task(
    client, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "tests.leads.doubles.DeferringImmediateBackend"}}
    settings.EMAIL_BACKEND = "tests.leads.doubles.FlakyEmailBackend"
    FlakyEmailBackend.failures = 2  # both e-mails of the first attempt fail

    submit(client, django_capture_on_commit_callbacks)

    submission = Submission.objects.get()
    assert submission.email_attempts == 2
    assert (submission.confirmation_status, submission.notification_status) == ("sent", "sent")
    assert len(mail.outbox) == 2


def test_automatic_retries_stop_after_the_limit_and_leave_the_emails_pending(
    client, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "tests.leads.doubles.DeferringImmediateBackend"}}
    settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
    settings.LEADS_EMAIL_MAX_ATTEMPTS = 3

    submit(client, django_capture_on_commit_callbacks)

    submission = Submission.objects.get()
    assert submission.email_attempts == 3
    assert submission.has_pending_email
