import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from leads.attribution import Attribution
from leads.models import ConsentRecord, ConsentText, Lead, LeadStatusChange, Submission
from leads.services import (
    LeadRequest,
    lead_consent_withdraw,
    lead_status_set,
    lead_submit,
    leads_purge,
)

from .factories import LeadFactory, ProgramFactory, current_consent


def lead_request(program, **overrides) -> LeadRequest:
    fields = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.com",
        "program": program,
        "consent_text": current_consent(),
    }
    return LeadRequest(**{**fields, **overrides})


@pytest.mark.django_db
class TestDedupe:
    def test_same_email_in_another_case_and_with_spaces_is_the_same_lead(self):
        program = ProgramFactory()
        first = lead_submit(request=lead_request(program, email="Grace@Example.com"))
        second = lead_submit(request=lead_request(program, email="  GRACE@example.COM "))

        assert first.lead_id == second.lead_id
        assert Lead.objects.count() == 1
        assert Submission.objects.count() == 2
        assert Lead.objects.get().email == "grace@example.com"

    def test_returning_person_updates_contact_details_but_keeps_what_they_left_out(self):
        program, other_program = ProgramFactory(), ProgramFactory()
        lead_submit(request=lead_request(program, phone="+442079460958", country="GB"))
        lead_submit(
            request=lead_request(other_program, last_name="Hopper-Murray", phone="", country="")
        )

        lead = Lead.objects.get()
        assert lead.last_name == "Hopper-Murray"
        assert lead.program == other_program
        assert (lead.phone, lead.country) == ("+442079460958", "GB")
        assert [s.last_name for s in lead.submissions.order_by("pk")] == [
            "Hopper",
            "Hopper-Murray",
        ]

    @pytest.mark.parametrize("closed", [Lead.Status.ENROLLED, Lead.Status.NOT_INTERESTED])
    def test_closed_lead_reopens_as_returning(self, closed):
        program = ProgramFactory()
        lead = lead_submit(request=lead_request(program)).lead
        lead_status_set(lead=lead, status=closed)

        lead_submit(request=lead_request(program))

        lead.refresh_from_db()
        assert lead.status == Lead.Status.RETURNING
        assert lead.closed_at is None
        assert list(lead.status_changes.values_list("from_status", "to_status")) == [
            ("new", closed),
            (closed, "returning"),
        ]

    def test_open_lead_keeps_its_status_when_the_person_asks_again(self):
        program = ProgramFactory()
        lead = lead_submit(request=lead_request(program)).lead
        lead_status_set(lead=lead, status=Lead.Status.QUALIFIED)
        lead_submit(request=lead_request(program))
        lead.refresh_from_db()
        assert lead.status == Lead.Status.QUALIFIED

    def test_unique_constraint_refuses_a_second_lead_in_another_case(self):
        LeadFactory(email="ada@example.com")
        with pytest.raises(IntegrityError), transaction.atomic():
            Lead.objects.create(first_name="A", last_name="B", email="ADA@example.com")

    def test_unique_constraint_is_checked_by_full_clean(self):
        from django.core.exceptions import ValidationError

        LeadFactory(email="ada@example.com")
        with pytest.raises(ValidationError, match="already exists"):
            Lead(first_name="A", last_name="B", email="Ada@Example.com").full_clean()


@pytest.mark.django_db
class TestConsentLedger:
    def test_each_submission_records_the_wording_shown_the_time_and_a_client_hash(self):
        program = ProgramFactory()
        submission = lead_submit(request=lead_request(program), client_hash="a" * 64)

        record = submission.consent
        assert record.kind == ConsentRecord.Kind.GIVEN
        assert record.wording == current_consent().text
        assert record.consent_text.version == 1
        assert record.client_hash == "a" * 64
        assert record.recorded_at == submission.created_at

    def test_new_version_is_recorded_from_then_on_and_old_records_keep_theirs(self):
        program = ProgramFactory()
        old = lead_submit(request=lead_request(program))
        ConsentText.objects.create(version=2, text="New wording.")
        new = lead_submit(request=lead_request(program, consent_text=current_consent()))

        assert old.consent.wording.startswith("I agree")
        assert new.consent.wording == "New wording."
        assert ConsentText.objects.current().version == 2

    def test_withdrawal_is_recorded_in_the_ledger(self):
        lead = lead_submit(request=lead_request(ProgramFactory())).lead
        lead_consent_withdraw(lead=lead)
        assert list(lead.consents.values_list("kind", flat=True)) == ["given", "withdrawn"]


@pytest.mark.django_db
class TestPipeline:
    def test_status_changes_are_kept_with_author_and_first_contact_time(self, staff_user):
        lead = LeadFactory()
        start = timezone.now()
        lead_status_set(lead=lead, status=Lead.Status.CONTACTED, changed_by=staff_user, now=start)
        lead_status_set(lead=lead, status=Lead.Status.QUALIFIED, now=start + timedelta(days=1))

        change = LeadStatusChange.objects.filter(lead=lead).first()
        assert (change.from_status, change.to_status, change.changed_by) == (
            "new",
            "contacted",
            staff_user,
        )
        assert lead.first_contacted_at == start  # the second change does not move it
        assert lead.time_to_first_contact == start - lead.created_at

    def test_follow_up_queue_holds_new_and_overdue_leads_oldest_first(self):
        now = timezone.now()
        newer = LeadFactory(last_submitted_at=now - timedelta(hours=1))
        older = LeadFactory(last_submitted_at=now - timedelta(days=3))
        overdue = LeadFactory(
            status=Lead.Status.QUALIFIED,
            next_follow_up=timezone.localdate() - timedelta(days=1),
            last_submitted_at=now - timedelta(days=1),
        )
        LeadFactory(
            status=Lead.Status.CONTACTED, next_follow_up=timezone.localdate() + timedelta(1)
        )
        LeadFactory(status=Lead.Status.ENROLLED)

        assert list(Lead.objects.follow_up_queue()) == [older, overdue, newer]

    def test_same_phone_or_same_name_with_another_email_is_flagged_not_merged(self):
        original = LeadFactory(first_name="Ada", last_name="King", phone="+442079460958")
        same_phone = LeadFactory(first_name="A", last_name="K", phone="+442079460958")
        same_name = LeadFactory(first_name="ada", last_name="KING")
        unrelated = LeadFactory(first_name="Alan", last_name="Turing")

        assert set(original.possible_duplicates()) == {same_phone, same_name}
        flagged = dict(
            Lead.objects.with_duplicate_flag().values_list("pk", "has_possible_duplicate")
        )
        assert flagged == {
            original.pk: True,
            same_phone.pk: True,
            same_name.pk: True,
            unrelated.pk: False,
        }
        assert Lead.objects.count() == 4

    def test_attribution_is_saved_with_the_submission(self):
        attribution = Attribution(
            first={"utm_source": "newsletter"},
            last={"utm_source": "google", "utm_campaign": "brand"},
            referrer="https://news.example/",
            landing_page="/articles/x/",
        )
        submission = lead_submit(request=lead_request(ProgramFactory()), attribution=attribution)
        submission.refresh_from_db()
        assert submission.utm_source == "newsletter"
        assert (submission.last_utm_source, submission.last_utm_campaign) == ("google", "brand")
        assert submission.landing_referrer == "https://news.example/"


@pytest.mark.django_db
class TestRetention:
    def test_purge_deletes_only_leads_closed_longer_than_the_retention(self, settings):
        settings.LEADS_RETENTION_DAYS = 30
        now = timezone.now()
        old = LeadFactory(status=Lead.Status.ENROLLED, closed_at=now - timedelta(days=31))
        recent = LeadFactory(status=Lead.Status.NOT_INTERESTED, closed_at=now - timedelta(days=29))
        still_open = LeadFactory(status=Lead.Status.QUALIFIED)
        lead_submit(request=lead_request(ProgramFactory(), email=old.email))  # reopens it
        ancient = LeadFactory(status=Lead.Status.NOT_INTERESTED, closed_at=now - timedelta(days=90))

        assert leads_purge(now=now) == 1

        assert set(Lead.objects.all()) == {old, recent, still_open}
        assert not Lead.objects.filter(pk=ancient.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (DATABASE_URL)"
)
def test_simultaneous_first_requests_with_one_email_give_one_lead_on_postgresql():
    program = ProgramFactory()
    ConsentText.objects.get_or_create(version=1, defaults={"text": "I agree."})
    workers = 8
    barrier = threading.Barrier(workers)
    errors = []

    def submit(number: int) -> None:
        try:
            barrier.wait()
            lead_submit(
                request=lead_request(
                    program,
                    email=f"  Same.Person@Example.com{' ' * number}",
                    first_name=f"Grace{number}",
                    consent_text=ConsentText.objects.current(),
                )
            )
        except Exception as error:  # any failure must fail the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Lead.objects.count() == 1
    assert Submission.objects.count() == workers
    assert Submission.objects.values("lead").distinct().count() == 1


@pytest.mark.django_db
class TestLeadModel:
    def test_email_is_stored_trimmed_and_in_lower_case_whoever_saves_it(self):
        lead = LeadFactory(email="  Ada@Example.COM ")
        lead.refresh_from_db()
        assert lead.email == "ada@example.com"

    @pytest.mark.parametrize(("field", "value"), [("phone", "020 7946 0958"), ("country", "gb")])
    def test_phone_and_country_edited_in_admin_are_checked(self, field, value):
        from django.core.exceptions import ValidationError

        lead = LeadFactory()
        setattr(lead, field, value)
        with pytest.raises(ValidationError) as error:
            lead.full_clean()
        assert field in error.value.message_dict
