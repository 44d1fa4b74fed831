import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth.models import Group

from leads.models import Submission, WebhookDelivery
from leads.services import LeadRequest, lead_submit

from .factories import ProgramFactory, coach, current_consent

pytestmark = pytest.mark.django_db

SECRET = "webhook-test-secret"


class CRM:
    """A CRM endpoint on 127.0.0.1: checks the signature, fails the first `failures` calls."""

    def __init__(self, failures: int = 1):
        self.failures = failures
        self.received: list[dict] = []
        self.bad_signatures = 0
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(self.headers.get("X-Leads-Signature", ""), expected):
                    crm.bad_signatures += 1
                    self.send_response(401)
                elif crm.failures > 0:
                    crm.failures -= 1
                    self.send_response(500)
                else:
                    crm.received.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/leads"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_settings(settings):
    settings.LEADS_WEBHOOK_URL = "placeholder"
    settings.LEADS_WEBHOOK_SECRET = SECRET
    settings.TASKS = {"default": {"BACKEND": "tests.leads.doubles.DeferringImmediateBackend"}}
    return settings


def submit(django_capture_on_commit_callbacks) -> Submission:
    request = LeadRequest(
        first_name="Grace",
        last_name="Hopper",
        email="grace@example.com",
        phone="+442079460958",
        program=ProgramFactory(slug="data-science"),
        consent_text=current_consent(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return lead_submit(request=request)


def test_submission_is_posted_signed_and_retried_after_a_500(
    webhook_settings, django_capture_on_commit_callbacks
):
    with CRM(failures=1) as crm:
        webhook_settings.LEADS_WEBHOOK_URL = crm.url
        submission = submit(django_capture_on_commit_callbacks)

    assert crm.bad_signatures == 0
    assert len(crm.received) == 1
    payload = crm.received[0]
    assert payload["event"] == "lead.submitted"
    assert payload["submission"]["email"] == "grace@example.com"
    assert payload["submission"]["program"] == "data-science"
    attempts = list(
        submission.webhook_deliveries.values_list("attempt", "status_code", "succeeded")
    )
    assert attempts == [(1, 500, False), (2, 200, True)]
    submission.refresh_from_db()
    assert submission.webhook_status == Submission.Delivery.SENT


def test_wrong_secret_is_refused_by_the_receiver(
    webhook_settings, django_capture_on_commit_callbacks
):
    webhook_settings.LEADS_WEBHOOK_MAX_ATTEMPTS = 2
    with CRM(failures=0) as crm:
        webhook_settings.LEADS_WEBHOOK_URL = crm.url
        webhook_settings.LEADS_WEBHOOK_SECRET = "another-secret"
        submission = submit(django_capture_on_commit_callbacks)

    assert crm.bad_signatures == 2 and crm.received == []
    submission.refresh_from_db()
    assert submission.webhook_status == Submission.Delivery.FAILED
    assert WebhookDelivery.objects.filter(status_code=401).count() == 2


def test_unreachable_crm_is_logged_and_gives_up_after_the_last_attempt(
    webhook_settings, django_capture_on_commit_callbacks
):
    webhook_settings.LEADS_WEBHOOK_MAX_ATTEMPTS = 3
    webhook_settings.LEADS_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens"
    submission = submit(django_capture_on_commit_callbacks)

    deliveries = list(submission.webhook_deliveries.all())
    assert [d.attempt for d in deliveries] == [1, 2, 3]
    assert all(d.status_code is None and d.error for d in deliveries)
    submission.refresh_from_db()
    assert submission.webhook_status == Submission.Delivery.FAILED


def test_no_webhook_url_means_no_call(settings, django_capture_on_commit_callbacks):
    settings.LEADS_WEBHOOK_URL = ""
    submission = submit(django_capture_on_commit_callbacks)
    assert submission.webhook_status == Submission.Delivery.SKIPPED
    assert not WebhookDelivery.objects.exists()


def test_attempts_are_visible_to_coaches_in_admin(
    client, webhook_settings, django_capture_on_commit_callbacks
):
    webhook_settings.LEADS_WEBHOOK_MAX_ATTEMPTS = 1
    webhook_settings.LEADS_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens"
    submission = submit(django_capture_on_commit_callbacks)
    client.force_login(coach())
    assert Group.objects.filter(name="Enrollment coaches").exists()

    response = client.get(f"/admin/leads/submission/{submission.pk}/change/")

    assert response.status_code == 200
    assert "Webhook deliver" in response.content.decode()
    assert "127.0.0.1:9/nothing-listens" in response.content.decode()
