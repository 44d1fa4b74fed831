from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from leads.models import Lead, LeadNote, LeadStatusChange
from tests.articles.factories import ArticleFactory

from .factories import LeadFactory, SubmissionFactory, coach

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/leads/lead/"


def make_user(role: str):
    User = get_user_model()
    if role == "anonymous":
        return None
    if role == "superuser":
        return User.objects.create_user("root", password="pw", is_staff=True, is_superuser=True)
    if role == "coach":
        return coach()
    user = User.objects.create_user(role, password="pw", is_staff=True)
    if role == "editor":
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="articles"))
    elif role == "moderator":
        group, _ = Group.objects.get_or_create(name="Moderators")
        user.groups.add(group)
    elif role == "staff_with_lead_permission":
        # Given the permission by mistake, but not a coach: still nothing.
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="leads"))
    return user


@pytest.mark.parametrize(
    ("role", "can_see"),
    [
        ("anonymous", False),
        ("editor", False),
        ("moderator", False),
        ("staff_with_lead_permission", False),
        ("coach", True),
        ("superuser", True),
    ],
)
@pytest.mark.parametrize(
    "path",
    [CHANGELIST, "lead-change", "/admin/leads/submission/", "/admin/leads/lead/queue/"],
)
def test_only_coaches_and_superusers_see_leads(client, role, can_see, path):
    lead = LeadFactory(last_name="Zebulon", email="secret.person@example.com")
    SubmissionFactory(lead=lead)
    if path == "lead-change":
        path = f"/admin/leads/lead/{lead.pk}/change/"
    user = make_user(role)
    if user:
        client.force_login(user)

    response = client.get(path)

    if can_see:
        assert response.status_code == 200
        assert "Zebulon" in response.content.decode()
    else:
        assert response.status_code in (302, 403)
        assert b"Zebulon" not in response.content


@pytest.mark.parametrize(("role", "listed"), [("editor", False), ("coach", True)])
def test_admin_index_lists_information_requests_only_for_coaches(client, role, listed):
    client.force_login(make_user(role))
    response = client.get("/admin/")
    assert ("/admin/leads/lead/" in response.content.decode()) is listed


def test_lead_details_never_appear_on_public_pages(client):
    article = ArticleFactory()
    lead = LeadFactory(email="private@example.com", phone="+442079460958", first_name="Zed")
    SubmissionFactory(lead=lead, article=article, message="My private message")
    for path in ("/", article.get_absolute_url(), "/get-info/", "/get-info/thanks/"):
        content = client.get(path).content.decode()
        for secret in ("private@example.com", "+442079460958", "My private message"):
            assert secret not in content, (path, secret)


class TestChangelist:
    @pytest.fixture
    def coach_client(self, client):
        user = coach()
        client.force_login(user)
        client.user = user
        return client

    def test_filters_by_status_program_utm_source_and_source_article(self, coach_client):
        article = ArticleFactory()
        wanted = LeadFactory(first_name="Wanted", status=Lead.Status.QUALIFIED)
        SubmissionFactory(lead=wanted, article=article, utm_source="newsletter")
        other = LeadFactory(first_name="Other")
        SubmissionFactory(lead=other, utm_source="google")

        for query in (
            "status__exact=qualified",
            f"program__id__exact={wanted.program_id}",
            "utm_source=newsletter",
            f"article={article.pk}",
        ):
            content = coach_client.get(f"{CHANGELIST}?{query}").content.decode()
            assert f"/admin/leads/lead/{wanted.pk}/change/" in content, query
            assert f"/admin/leads/lead/{other.pk}/change/" not in content, query

    @pytest.mark.parametrize("term", ["Lovelace", "ada.l@example.com", "+15005550006"])
    def test_search_by_name_email_and_phone(self, coach_client, term):
        found = LeadFactory(last_name="Lovelace", email="ada.l@example.com", phone="+15005550006")
        missed = LeadFactory(last_name="Turing", phone="+442079460958")
        content = coach_client.get(CHANGELIST, {"q": term}).content.decode()
        assert f"/admin/leads/lead/{found.pk}/change/" in content
        assert f"/admin/leads/lead/{missed.pk}/change/" not in content

    def test_possible_duplicates_are_flagged_and_filterable(self, coach_client):
        first = LeadFactory(first_name="Ada", last_name="King", email="a@example.com")
        second = LeadFactory(first_name="Ada", last_name="King", email="b@example.com")
        alone = LeadFactory(first_name="Alan", last_name="Turing")

        content = coach_client.get(f"{CHANGELIST}?duplicate=yes").content.decode()
        assert f"/admin/leads/lead/{first.pk}/change/" in content
        assert f"/admin/leads/lead/{second.pk}/change/" in content
        assert f"/admin/leads/lead/{alone.pk}/change/" not in content
        change = coach_client.get(f"/admin/leads/lead/{first.pk}/change/").content.decode()
        assert "b@example.com" in change and "same name" in change

    def test_changelist_queries_do_not_grow_with_leads(
        self, coach_client, django_assert_max_num_queries
    ):
        """Guards the N+1 on program, owner and the duplicate flag of each row."""
        for _ in range(3):
            LeadFactory(owner=coach_client.user)
        coach_client.get(CHANGELIST)  # warm the session and content types
        with django_assert_max_num_queries(20) as few:
            coach_client.get(CHANGELIST)
        for _ in range(10):
            LeadFactory(owner=coach_client.user)
        with django_assert_max_num_queries(len(few.captured_queries)):
            coach_client.get(CHANGELIST)

    def test_assign_to_me_and_set_status_actions(self, coach_client):
        leads = [LeadFactory(), LeadFactory()]
        ids = [lead.pk for lead in leads]
        coach_client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": ids})
        coach_client.post(CHANGELIST, {"action": "set_status_contacted", "_selected_action": ids})
        for lead in Lead.objects.filter(pk__in=ids):
            assert lead.owner == coach_client.user
            assert lead.status == Lead.Status.CONTACTED
            assert lead.first_contacted_at is not None
        assert LeadStatusChange.objects.filter(changed_by=coach_client.user).count() == 2

    def test_hostile_names_are_escaped_in_every_admin_page(self, coach_client):
        hostile = '<img src=x onerror="alert(1)">'
        lead = LeadFactory(first_name=hostile, last_name="Same")
        LeadFactory(first_name=hostile, last_name="Same", email="other@example.com")
        SubmissionFactory(lead=lead, utm_source=hostile, message=hostile)
        for path in (
            CHANGELIST,
            f"/admin/leads/lead/{lead.pk}/change/",
            "/admin/leads/lead/queue/",
            "/admin/leads/lead/attribution/",
            "/admin/leads/submission/",
        ):
            content = coach_client.get(path).content.decode()
            assert hostile not in content, path
        assert "&lt;img src=x" in coach_client.get(CHANGELIST).content.decode()

    def test_consent_withdrawal_action_adds_to_the_ledger(self, coach_client):
        lead = LeadFactory()
        coach_client.post(
            CHANGELIST, {"action": "record_consent_withdrawal", "_selected_action": [lead.pk]}
        )
        withdrawal = lead.consents.get()
        assert (withdrawal.kind, withdrawal.recorded_by) == ("withdrawn", coach_client.user)

    def test_change_form_records_status_history_and_notes_with_their_author(self, coach_client):
        lead = LeadFactory()
        data = {
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "phone": "",
            "country": "",
            "career_stage": "",
            "program": lead.program_id,
            "status": "qualified",
            "owner": coach_client.user.pk,
            "next_follow_up": "",
            "notes-TOTAL_FORMS": "1",
            "notes-INITIAL_FORMS": "0",
            "notes-0-kind": "note",
            "notes-0-text": "Called, wants the evening cohort.",
            "submissions-TOTAL_FORMS": "0",
            "submissions-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
        }
        response = coach_client.post(f"/admin/leads/lead/{lead.pk}/change/", data)

        assert response.status_code == 302, response.content.decode()[:3000]
        lead.refresh_from_db()
        assert lead.status == "qualified"
        assert lead.owner == coach_client.user
        change = lead.status_changes.get()
        assert (change.from_status, change.to_status, change.changed_by) == (
            "new",
            "qualified",
            coach_client.user,
        )
        note = LeadNote.objects.get()
        assert note.author == coach_client.user and note.text.startswith("Called")

    def test_owner_choices_are_coaches_only(self, coach_client):
        get_user_model().objects.create_user("editor-x", is_staff=True)
        lead = LeadFactory()
        content = coach_client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
        assert ">coach</option>" in content
        assert "editor-x" not in content

    def test_queue_queries_do_not_grow_with_leads(self, coach_client):
        """Guards the N+1 on each queued lead's program and owner."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert coach_client.get("/admin/leads/lead/queue/").status_code == 200
            return len(queries)

        LeadFactory(owner=coach_client.user)
        coach_client.get("/admin/leads/lead/queue/")
        few = count()
        for _ in range(10):
            LeadFactory(owner=coach_client.user)
        assert count() == few


class TestAttributionView:
    def test_date_range_narrows_the_report(self, client):
        client.force_login(coach())
        SubmissionFactory(utm_source="old", created_at=timezone.now() - timedelta(days=400))
        start = (timezone.localdate() - timedelta(days=401)).isoformat()
        end = (timezone.localdate() - timedelta(days=399)).isoformat()
        content = client.get(
            "/admin/leads/lead/attribution/", {"start": start, "end": end}
        ).content.decode()
        assert "old" in content and "<strong>1</strong> request" in content

    @pytest.mark.parametrize(("role", "status"), [("editor", 200), ("moderator", 403)])
    def test_editors_may_read_the_report_it_holds_no_personal_data(self, client, role, status):
        client.force_login(make_user(role))
        assert client.get("/admin/leads/lead/attribution/").status_code == status
