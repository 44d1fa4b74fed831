"""Routing: each program has its coaches; a new request goes to the next of them in turn,
skipping inactive accounts, who is told at once by e-mail; unassigned requests show as such."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from leads.models import COACHES_GROUP, CoachEmail, ConsentText, Lead, Program, ProgramCoach
from leads.services import lead_assign, lead_submit
from tests.admin_pages import form_values
from tests.roles import ROLES, staff_member

from .factories import LeadFactory, ProgramFactory
from .test_services import lead_request

pytestmark = pytest.mark.django_db


def coach_mail() -> list:
    """The e-mails to coaches (the person's confirmation aside)."""
    return [
        message
        for message in mail.outbox
        if "example.com" in message.to[0] and not message.to[0].startswith("person")
    ]


def program_with(*coaches, **fields) -> Program:
    program = ProgramFactory(**fields)
    for coach in coaches:
        ProgramCoach.objects.create(program=program, coach=coach)
    return program


def ask(program, n: int, capture) -> Lead:
    with capture(execute=True):
        return lead_submit(request=lead_request(program, email=f"person{n}@example.com")).lead


def owners_of(program, count: int, capture) -> list[str]:
    return [ask(program, n, capture).owner.username for n in range(count)]


def test_requests_go_to_the_programs_coaches_in_turn(django_capture_on_commit_callbacks):
    ana, ben, cy = (staff_member("coach", name) for name in ("ana", "ben", "cy"))
    program = program_with(ana, ben, cy)

    assert owners_of(program, 4, django_capture_on_commit_callbacks) == ["ana", "ben", "cy", "ana"]


def test_inactive_accounts_and_coaches_out_of_the_group_are_skipped(
    django_capture_on_commit_callbacks,
):
    ana = staff_member("coach", "ana")
    gone = staff_member("coach", "gone", is_active=False)
    left = staff_member("coach", "left")
    left.groups.remove(Group.objects.get(name=COACHES_GROUP))
    cy = staff_member("coach", "cy")
    program = program_with(ana, gone, left, cy)

    assert owners_of(program, 3, django_capture_on_commit_callbacks) == ["ana", "cy", "ana"]


def test_a_coach_added_later_is_next(django_capture_on_commit_callbacks):
    ana, ben = staff_member("coach", "ana"), staff_member("coach", "ben")
    program = program_with(ana, ben)
    owners_of(program, 2, django_capture_on_commit_callbacks)
    ProgramCoach.objects.create(program=program, coach=staff_member("coach", "new"))

    assert ask(program, 10, django_capture_on_commit_callbacks).owner.username == "new"


def test_the_coach_is_told_at_once_by_email(django_capture_on_commit_callbacks):
    ana = staff_member("coach", "ana")
    program = program_with(ana, name="MLOps and Model Deployment")

    lead = ask(program, 1, django_capture_on_commit_callbacks)

    (message,) = coach_mail()
    assert message.to == ["ana@example.com"]
    assert message.subject == f"New lead for you: {lead.full_name} (MLOps and Model Deployment)"
    assert f"https://careers.example/admin/leads/lead/{lead.pk}/change/" in message.body
    assert CoachEmail.objects.get().status == "sent"


def test_with_the_mail_server_down_the_coachs_email_waits_and_is_sent_later(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
    program = program_with(staff_member("coach", "ana"))
    lead = ask(program, 1, django_capture_on_commit_callbacks)
    assert lead.owner.username == "ana"  # the request is routed whatever the mail server does
    assert CoachEmail.objects.get().status == "pending"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications")

    assert [message.to for message in coach_mail()] == [["ana@example.com"]]


def test_without_an_active_coach_the_request_stays_unassigned_and_shows_as_such(
    client, django_capture_on_commit_callbacks
):
    program = program_with(staff_member("coach", "gone", is_active=False))
    lead = ask(program, 1, django_capture_on_commit_callbacks)
    assert lead.owner is None and not CoachEmail.objects.exists()
    assigned = LeadFactory(owner=staff_member("coach", "ana"))

    client.force_login(staff_member("coach", "viewer"))
    changelist = client.get("/admin/leads/lead/").content.decode()
    assert '<strong class="leads-unassigned">Unassigned</strong>' in changelist
    unassigned = client.get("/admin/leads/lead/", {"owner": "none"}).content.decode()
    assert f"/admin/leads/lead/{lead.pk}/change/" in unassigned
    assert f"/admin/leads/lead/{assigned.pk}/change/" not in unassigned
    queue = client.get("/admin/leads/lead/queue/").content.decode()
    assert '<strong class="leads-unassigned">unassigned</strong>' in queue


def test_a_returning_person_keeps_their_coach_who_is_told_again(
    django_capture_on_commit_callbacks,
):
    ana, ben = staff_member("coach", "ana"), staff_member("coach", "ben")
    program = program_with(ana, ben)
    first = ask(program, 1, django_capture_on_commit_callbacks)
    again = ask(program, 1, django_capture_on_commit_callbacks)

    assert first.pk == again.pk and again.owner == ana
    assert [message.to for message in coach_mail()] == [["ana@example.com"], ["ana@example.com"]]


def test_a_returning_person_whose_coach_left_goes_to_the_next_coach(
    django_capture_on_commit_callbacks,
):
    ana, ben = staff_member("coach", "ana"), staff_member("coach", "ben")
    program = program_with(ana, ben)
    ask(program, 1, django_capture_on_commit_callbacks)
    ana.is_active = False
    ana.save()

    assert ask(program, 1, django_capture_on_commit_callbacks).owner == ben


def test_a_lead_given_by_a_colleague_is_announced_and_one_taken_oneself_is_not(
    django_capture_on_commit_callbacks,
):
    ana, ben = staff_member("coach", "ana"), staff_member("coach", "ben")
    lead = LeadFactory()

    with django_capture_on_commit_callbacks(execute=True):
        lead_assign(lead=lead, owner=ben, assigned_by=ana)
        lead_assign(lead=lead, owner=ana, assigned_by=ana)

    assert [message.to for message in mail.outbox] == [["ben@example.com"]]


def test_a_programs_coaches_are_set_on_its_page_and_kept_when_saved_unchanged(client):
    admin_user = staff_member("coach", "boss", is_superuser=True)
    ana = staff_member("coach", "ana")
    former = staff_member("coach", "former", is_active=False)
    program = program_with(ana, former, lead_coach=former)
    client.force_login(admin_user)
    url = f"/admin/leads/program/{program.pk}/change/"

    content = client.get(url).content.decode()
    assert "former (not an active coach)" in content  # shown, not dropped
    assert client.post(url, form_values(content, "program_form")).status_code == 302

    program.refresh_from_db()
    assert program.lead_coach == former
    assert set(program.coaches.values_list("username", flat=True)) == {"ana", "former"}


@pytest.mark.parametrize("role", ROLES)
def test_per_role_who_reads_and_who_changes_a_programs_coaches(client, role):
    program = program_with(staff_member("coach", "ana"))
    client.force_login(staff_member(role))
    url = f"/admin/leads/program/{program.pk}/change/"

    reading = client.get(url)
    saving = client.post(url, {"name": "Renamed"})

    assert reading.status_code == (200 if role == "coach" else 403)
    assert saving.status_code == 403
    program.refresh_from_db()
    assert program.name != "Renamed"


def test_routing_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Guards the N+1 on the program's coaches while the next one is chosen."""
    program = program_with(*(staff_member("coach", f"c{n}") for n in range(2)))
    ask(program, 0, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(40) as few:
        ask(program, 1, django_capture_on_commit_callbacks)
    for n in range(2, 12):
        ProgramCoach.objects.create(program=program, coach=staff_member("coach", f"c{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        ask(program, 2, django_capture_on_commit_callbacks)
    assert timezone.now()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (DATABASE_URL)"
)
def test_simultaneous_requests_go_to_each_coach_in_turn_on_postgresql():
    coaches = [staff_member("coach", f"coach{n}") for n in range(4)]
    program = program_with(*coaches)
    ConsentText.objects.get_or_create(version=1, defaults={"text": "I agree."})
    barrier = threading.Barrier(len(coaches))
    errors = []

    def submit(number: int) -> None:
        try:
            barrier.wait()
            lead_submit(
                request=lead_request(
                    program,
                    email=f"person{number}@example.com",
                    consent_text=ConsentText.objects.current(),
                )
            )
        except Exception as error:  # any failure must fail the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(coaches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(Lead.objects.values_list("owner__username", flat=True)) == [
        coach.username for coach in coaches
    ]
