"""The follow-up queue: an honest speed to lead (request to first recorded contact, contacted
leads only, with those still waiting beside it), per coach and per program; a target staff set;
leads over it flagged and escalated by e-mail to the program's lead coach."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from leads.models import CoachEmail, ContactTarget, Lead, LeadNote
from leads.reports import speed_to_lead
from leads.services import (
    lead_escalate,
    lead_note_add,
    lead_status_set,
    lead_submit,
    leads_escalate_overdue,
)
from tests.roles import ROLES, staff_member

from .doubles import DeferringImmediateBackend
from .factories import LeadFactory, ProgramFactory
from .test_services import lead_request

pytestmark = pytest.mark.django_db

QUEUE = "/admin/leads/lead/queue/"
HOUR = timedelta(hours=1)


def contacted_lead(*, waited: timedelta, requested_ago: timedelta = timedelta(days=2), **fields):
    requested = timezone.now() - requested_ago
    return LeadFactory(
        status=Lead.Status.CONTACTED,
        created_at=requested,
        last_submitted_at=requested,
        first_contacted_at=requested + waited,
        **fields,
    )


def waiting_lead(*, since: timedelta, **fields):
    requested = timezone.now() - since
    return LeadFactory(created_at=requested, last_submitted_at=requested, **fields)


@pytest.fixture
def coach_client(client):
    client.force_login(staff_member("coach"))
    return client


class TestSpeedToLead:
    def test_median_is_over_contacted_leads_with_the_waiting_and_unheard_beside_it(self):
        for hours in (1, 3, 30):
            contacted_lead(waited=hours * HOUR)
        waiting_lead(since=5 * HOUR)
        LeadFactory(status=Lead.Status.NOT_INTERESTED)  # closed without a recorded contact

        speed = speed_to_lead(target=HOUR, now=timezone.now()).overall

        assert (speed.median, speed.contacted, speed.waiting, speed.over_target) == (
            3 * HOUR,
            3,
            1,
            1,
        )
        assert (speed.closed_unheard, speed.within_target_percent) == (1, 33)

    def test_an_even_count_takes_the_mean_of_the_middle_two(self):
        contacted_lead(waited=HOUR)
        contacted_lead(waited=3 * HOUR)
        assert speed_to_lead(target=HOUR, now=timezone.now()).overall.median == 2 * HOUR

    def test_the_period_is_of_requests_not_of_contacts(self):
        """A lead asked 40 days ago and contacted yesterday is not a 30-day figure."""
        contacted_lead(waited=39 * 24 * HOUR, requested_ago=timedelta(days=40))
        assert speed_to_lead(target=HOUR, now=timezone.now()).overall.contacted == 0

    def test_per_coach_and_per_program(self):
        ada, bo = staff_member("coach", "ada"), staff_member("coach", "bo")
        mlops, data = ProgramFactory(name="MLOps"), ProgramFactory(name="Data Science")
        contacted_lead(waited=HOUR, owner=ada, program=mlops)
        contacted_lead(waited=5 * HOUR, owner=ada, program=data)
        contacted_lead(waited=2 * HOUR, owner=bo, program=mlops)
        waiting_lead(since=10 * HOUR, program=data)

        speed = speed_to_lead(target=HOUR, now=timezone.now())

        by_coach = {group.label: (group.median, group.waiting) for group in speed.by_coach}
        assert by_coach == {"ada": (3 * HOUR, 0), "bo": (2 * HOUR, 0), "Unassigned": (None, 1)}
        by_program = {group.label: (group.median, group.waiting) for group in speed.by_program}
        assert by_program == {"Data Science": (5 * HOUR, 1), "MLOps": (1.5 * HOUR, 0)}

    def test_the_queue_page_shows_the_median_per_coach_and_per_program(self, coach_client):
        for hours in (1, 3, 30):
            contacted_lead(waited=hours * HOUR, program=ProgramFactory(name=f"Program {hours}"))
        waiting_lead(since=2 * HOUR)

        content = coach_client.get(QUEUE).content.decode()

        assert "Median time from request to first contact: <strong>3.0 h</strong>" in content
        assert "over 3 contacted leads, 33% within the target" in content
        assert "1 still waits, 1 of them longer than the target" in content
        assert "<caption>Per coach</caption>" in content
        assert "<caption>Per program</caption>" in content and "Program 30" in content

    def test_queue_page_queries_do_not_grow_with_leads(self, coach_client):
        """Guards the N+1 on the speed tables' owners and programs."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert coach_client.get(QUEUE).status_code == 200
            return len(queries)

        contacted_lead(waited=HOUR, owner=staff_member("coach", "one"))
        coach_client.get(QUEUE)
        few = count()
        for n in range(5):
            contacted_lead(waited=HOUR, owner=staff_member("coach", f"c{n}"))
            waiting_lead(since=HOUR, program=ProgramFactory())
        assert count() == few


class TestRecordedContact:
    def test_a_call_note_is_the_first_contact_and_moves_the_lead_to_contacted(self):
        coach = staff_member("coach")
        lead = waiting_lead(since=2 * HOUR)
        called = timezone.now()

        lead_note_add(lead=lead, author=coach, text="Called", kind=LeadNote.Kind.CALL, now=called)

        lead.refresh_from_db()
        assert (lead.status, lead.first_contacted_at, lead.awaiting_contact_since) == (
            Lead.Status.CONTACTED,
            called,
            None,
        )
        assert lead.status_changes.get().changed_by == coach

    def test_a_plain_note_records_no_contact(self):
        lead = waiting_lead(since=2 * HOUR)
        lead_note_add(lead=lead, author=None, text="Looks like a student")
        lead.refresh_from_db()
        assert (lead.status, lead.first_contacted_at) == (Lead.Status.NEW, None)

    def test_closing_as_not_interested_unheard_is_no_contact(self):
        lead = waiting_lead(since=2 * HOUR)
        lead_status_set(lead=lead, status=Lead.Status.NOT_INTERESTED)
        lead.refresh_from_db()
        assert lead.first_contacted_at is None and lead.awaiting_contact_since is None

    def test_logging_a_call_on_the_leads_page_records_the_contact(self, coach_client):
        from tests.admin_pages import form_values

        lead = waiting_lead(since=2 * HOUR)
        url = f"/admin/leads/lead/{lead.pk}/change/"
        data = form_values(coach_client.get(url).content.decode(), "lead_form")
        data.update({"notes-0-kind": "call", "notes-0-text": "Called, left a voicemail."})

        assert coach_client.post(url, data).status_code == 302

        lead.refresh_from_db()
        assert lead.status == Lead.Status.CONTACTED and lead.first_contacted_at is not None
        assert lead.notes.get().kind == LeadNote.Kind.CALL

    def test_a_reopened_lead_waits_from_the_request_that_reopened_it(self):
        program = ProgramFactory()
        first = lead_submit(request=lead_request(program), now=timezone.now() - 10 * HOUR).lead
        lead_status_set(lead=first, status=Lead.Status.ENROLLED)
        again = timezone.now()

        lead = lead_submit(request=lead_request(program), now=again).lead

        lead.refresh_from_db()
        assert (lead.status, lead.awaiting_contact_since) == (Lead.Status.RETURNING, again)


class TestTarget:
    def test_the_default_target_is_one_hour(self):
        assert ContactTarget.current().first_contact_minutes == 60

    def test_leads_waiting_longer_than_the_target_are_flagged(self, coach_client):
        waiting_lead(since=2 * HOUR, first_name="Late")
        waiting_lead(since=timedelta(minutes=20), first_name="Fresh")

        content = coach_client.get(QUEUE).content.decode()

        assert content.count('leads-overdue-label">over target') == 1
        late_row = content.split("Late")[1].split("</tr>")[0]
        assert "over target" in late_row
        assert "The target for a first contact is <strong>1 hour</strong>" in content
        assert "over target" in coach_client.get("/admin/leads/lead/").content.decode()

    def test_a_raised_target_clears_the_flag(self, coach_client):
        waiting_lead(since=2 * HOUR, first_name="Late")
        ContactTarget.objects.filter(pk=ContactTarget.current().pk).update(
            first_contact_minutes=180
        )
        content = coach_client.get(QUEUE).content.decode()
        assert 'leads-overdue-label">over target' not in content
        assert "<strong>3 hours</strong>" in content

    def test_staff_with_the_permission_set_the_target(self, client, django_user_model):
        from django.contrib.auth.models import Group, Permission

        managers = Group.objects.create(name="Desk managers")
        managers.permissions.add(
            *Permission.objects.filter(codename__in=["view_contacttarget", "change_contacttarget"])
        )
        manager = django_user_model.objects.create_user("manager", is_staff=True)
        manager.groups.add(managers)
        client.force_login(manager)
        target = ContactTarget.current()
        url = f"/admin/leads/contacttarget/{target.pk}/change/"

        assert client.get("/admin/leads/contacttarget/")["Location"] == url
        response = client.post(url, {"first_contact_minutes": "2"})
        assert "Ensure this value is greater than or equal to 5." in response.content.decode()
        assert client.post(url, {"first_contact_minutes": "30"}).status_code == 302
        target.refresh_from_db()
        assert target.first_contact_minutes == 30

    @pytest.mark.parametrize("role", ROLES)
    def test_per_role_who_reads_and_who_sets_the_target(self, client, role):
        client.force_login(staff_member(role))
        target = ContactTarget.current()
        url = f"/admin/leads/contacttarget/{target.pk}/change/"

        reading = client.get(url)
        saving = client.post(url, {"first_contact_minutes": "15"})

        assert reading.status_code == (200 if role == "coach" else 403)
        assert saving.status_code == 403  # only staff given the permission set it
        target.refresh_from_db()
        assert target.first_contact_minutes == 60
        queue = client.get(QUEUE)
        assert queue.status_code == (200 if role == "coach" else 403)
        if role == "coach":
            assert url not in queue.content.decode()  # no "change" link


class TestEscalation:
    @pytest.fixture
    def lead_coach(self):
        return staff_member("coach", "lead.coach", first_name="Lena", last_name="Lead")

    def test_a_lead_over_the_target_is_escalated_to_the_programs_lead_coach_once(
        self, lead_coach, django_capture_on_commit_callbacks
    ):
        program = ProgramFactory(name="MLOps", lead_coach=lead_coach)
        lead = waiting_lead(since=2 * HOUR, program=program, first_name="Grace")

        with django_capture_on_commit_callbacks(execute=True):
            assert leads_escalate_overdue() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert leads_escalate_overdue() == 0

        (message,) = mail.outbox
        assert message.to == ["lead.coach@example.com"]
        assert message.subject == f"Not contacted within the target: {lead.full_name} (MLOps)"
        assert f"/admin/leads/lead/{lead.pk}/change/" in message.body
        assert "within the 60-minute target" in message.body
        lead.refresh_from_db()
        assert lead.escalated_at is not None
        assert CoachEmail.objects.get().status == "sent"

    def test_a_lead_within_the_target_or_contacted_is_not_escalated(self, lead_coach):
        program = ProgramFactory(lead_coach=lead_coach)
        fresh = waiting_lead(since=timedelta(minutes=10), program=program)
        contacted_lead(waited=3 * HOUR, program=program)

        assert leads_escalate_overdue() == 0
        assert lead_escalate(lead_id=fresh.pk) == fresh.awaiting_contact_since + HOUR
        assert not mail.outbox

    def test_without_an_active_lead_coach_the_notify_addresses_are_told(
        self, settings, django_capture_on_commit_callbacks
    ):
        settings.LEADS_NOTIFY_EMAILS = ["desk@example.com"]
        gone = staff_member("coach", "gone", is_active=False)
        waiting_lead(since=2 * HOUR, program=ProgramFactory(lead_coach=gone))

        with django_capture_on_commit_callbacks(execute=True):
            leads_escalate_overdue()

        assert [message.to for message in mail.outbox] == [["desk@example.com"]]

    def test_a_request_schedules_its_own_check_at_the_target(
        self, lead_coach, settings, monkeypatch, django_capture_on_commit_callbacks
    ):
        from leads import tasks

        settings.TASKS = {"default": {"BACKEND": "tests.leads.doubles.DeferringImmediateBackend"}}
        scheduled = []
        monkeypatch.setattr(
            tasks, "run_later", lambda job, *, at, **kwargs: scheduled.append((job, at, kwargs))
        )
        now = timezone.now()

        with django_capture_on_commit_callbacks(execute=True):
            submission = lead_submit(request=lead_request(ProgramFactory()), now=now)

        assert scheduled == [
            (
                tasks.escalate_lead_when_due,
                now + HOUR,
                {"lead_id": submission.lead_id, "due": (now + HOUR).isoformat()},
            )
        ]
        assert DeferringImmediateBackend.supports_defer

    def test_the_scheduled_check_run_early_does_not_loop(self, lead_coach, settings):
        settings.TASKS = {"default": {"BACKEND": "tests.leads.doubles.DeferringImmediateBackend"}}
        lead = waiting_lead(since=timedelta(minutes=5), program=ProgramFactory())
        from leads.tasks import escalate_lead_when_due

        due = lead.awaiting_contact_since + HOUR
        escalate_lead_when_due.enqueue(lead_id=lead.pk, due=due.isoformat())  # runs at once

        lead.refresh_from_db()
        assert lead.escalated_at is None and not mail.outbox

    def test_the_command_escalates_and_says_how_many(self, lead_coach, capsys):
        waiting_lead(since=3 * HOUR, program=ProgramFactory(lead_coach=lead_coach))
        call_command("escalate_overdue_leads")
        assert "Escalated 1 lead(s)" in capsys.readouterr().out

    def test_a_mail_server_down_keeps_the_escalation_pending_until_sent(
        self, lead_coach, settings, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
        waiting_lead(since=3 * HOUR, program=ProgramFactory(lead_coach=lead_coach))
        with django_capture_on_commit_callbacks(execute=True):
            leads_escalate_overdue()
        email = CoachEmail.objects.get()
        assert (email.status, email.attempts) == ("pending", 1)

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        call_command("send_pending_notifications")

        email.refresh_from_db()
        assert email.status == "sent" and len(mail.outbox) == 1
