import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from leads.models import (
    COACHES_GROUP,
    ArticleDayViews,
    ConsentRecord,
    Lead,
    LeadNote,
    Program,
    ProgramCoach,
    Submission,
)

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


def test_seed_demo_gives_the_desk_programs_coaches_and_leads_once():
    run("seed_demo")

    assert Program.objects.active().count() == 5
    assert Lead.objects.filter(email__endswith="@example.com").count() == 10
    assert not Submission.objects.filter(notification_status="pending").exists()
    coaches = get_user_model().objects.filter(groups__name=COACHES_GROUP)
    assert coaches.count() == 4 and coaches.filter(is_active=False).count() == 1
    assert not any(coach.has_usable_password() for coach in coaches)
    bootcamp = Program.objects.get(slug="machine-learning-engineering")
    assert bootcamp.lead_coach.username == "amira.haddad"
    assert list(bootcamp.coaches.values_list("username", flat=True)) == [
        "amira.haddad",
        "ben.okoro",
    ]
    assert Lead.objects.filter(owner=None).exists()  # the part-time program has no coach
    assert Lead.objects.exclude(first_contacted_at=None).count() >= 5
    assert ArticleDayViews.objects.exists()


def test_running_seed_demo_again_changes_nothing():
    run("seed_demo")
    tables = (Program, ProgramCoach, Lead, Submission, ArticleDayViews, get_user_model())

    def snapshot():
        return {model: list(model.objects.order_by("pk").values()) for model in tables}

    before = snapshot()
    run("seed_demo")
    assert snapshot() == before


def test_seed_demo_leaves_a_programs_routing_as_staff_set_it():
    run("seed_demo")
    bootcamp = Program.objects.get(slug="machine-learning-engineering")
    bootcamp.routing.all().delete()
    bootcamp.name = "ML Engineering (renamed)"
    bootcamp.save()

    run("seed_demo")

    bootcamp.refresh_from_db()
    assert bootcamp.name == "ML Engineering (renamed)"
    assert not bootcamp.routing.exists()
