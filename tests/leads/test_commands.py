import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from leads.models import ConsentRecord, Lead, LeadNote, Program, Submission

from .factories import LeadFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_purge_leads_deletes_leads_closed_longer_than_the_retention(settings):
    settings.LEADS_RETENTION_DAYS = 365
    old = LeadFactory(
        status=Lead.Status.NOT_INTERESTED, closed_at=timezone.now() - timedelta(days=400)
    )
    SubmissionFactory(lead=old)
    kept = LeadFactory(status=Lead.Status.ENROLLED, closed_at=timezone.now() - timedelta(days=10))

    output = run("purge_leads")

    assert "Deleted 1 lead(s) closed more than 365 days ago." in output
    assert list(Lead.objects.all()) == [kept]
    assert not Submission.objects.exists()


class TestPersonalData:
    def test_export_covers_leads_submissions_notes_and_consent(self):
        lead = LeadFactory(email="ada@example.com", phone="+442079460958")
        submission = SubmissionFactory(lead=lead, email="Ada@Example.com", message="Hello")
        ConsentRecord.objects.create(lead=lead, submission=submission, kind="given", wording="OK")
        LeadNote.objects.create(lead=lead, text="Prefers e-mail.")
        LeadFactory(email="someone.else@example.com")

        data = json.loads(run("personal_data", "export", "ADA@example.com"))

        leads = data["leads"]
        assert [entry["email"] for entry in leads["leads"]] == ["ada@example.com"]
        assert leads["leads"][0]["notes"] == ["Prefers e-mail."]
        assert leads["leads"][0]["consents"][0]["wording"] == "OK"
        assert [entry["message"] for entry in leads["submissions"]] == ["Hello"]
        assert "someone.else" not in json.dumps(data)

    def test_erase_deletes_the_person_and_only_them(self):
        lead = LeadFactory(email="ada@example.com")
        SubmissionFactory(lead=lead)
        other = LeadFactory(email="alan@example.com")
        SubmissionFactory(lead=other)

        output = json.loads(run("personal_data", "erase", "ada@example.com"))

        assert output["erased"]["leads"] >= 2
        assert list(Lead.objects.all()) == [other]
        assert Submission.objects.get().lead == other


def test_seed_demo_adds_programs_and_demo_leads_once():
    run("seed_demo")
    run("seed_demo")

    assert Program.objects.active().count() == 5
    assert Lead.objects.filter(email__endswith="@example.com").count() == 5
    assert Submission.objects.count() == 5
    assert not Submission.objects.filter(notification_status="pending").exists()
