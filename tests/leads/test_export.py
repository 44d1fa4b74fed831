"""The CSV export: every field a coach or a CRM import needs, E.164 numbers as they are, formulas
guarded only in text a person typed, every time in ISO 8601 UTC."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from leads.exports import HEADERS, csv_safe, utc_iso
from leads.models import ConsentRecord, Lead
from leads.services import lead_consent_withdraw
from tests.articles.factories import ArticleFactory
from tests.roles import ROLES, staff_member

from .factories import LeadFactory, ProgramFactory, SubmissionFactory, current_consent

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/leads/lead/"
REQUESTED = datetime(2026, 3, 1, 14, 5, 9, tzinfo=UTC)


def export(client, leads) -> tuple[object, list[dict]]:
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [lead.pk for lead in leads]}
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return response, list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.fixture
def coach_client(client):
    client.force_login(staff_member("coach", first_name="Cora", last_name="Coach"))
    return client


@pytest.fixture
def worked_lead():
    """A lead with two requests from two visits, contacted, with consent given and withdrawn."""
    owner = staff_member("coach", "owner", first_name="Olu", last_name="Owner")
    program = ProgramFactory(name="MLOps and Model Deployment", slug="mlops")
    lead = LeadFactory(
        first_name="Zoë",
        last_name="Ørsted",
        email="zoe@example.com",
        phone="+442079460958",
        country="GB",
        career_stage="changer",
        program=program,
        owner=owner,
        status=Lead.Status.CONTACTED,
        created_at=REQUESTED,
        last_submitted_at=REQUESTED + timedelta(days=3),
        first_contacted_at=REQUESTED + timedelta(minutes=42),
        next_follow_up=date(2026, 3, 9),
    )
    first_article = ArticleFactory(title="How to become an MLOps engineer")
    latest_article = ArticleFactory(title="MLOps salaries in 2026")
    first = SubmissionFactory(
        lead=lead,
        created_at=REQUESTED,
        article=first_article,
        page=first_article.get_absolute_url(),
        message="First question",
        landing_page="/articles/how-to/?utm_source=newsletter",
        landing_referrer="https://news.example/issue-12",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="spring",
        utm_term="mlops",
        utm_content="hero",
        last_utm_source="newsletter",
        last_utm_campaign="spring",
    )
    SubmissionFactory(
        lead=lead,
        created_at=REQUESTED + timedelta(days=3),
        article=latest_article,
        page=latest_article.get_absolute_url(),
        message="Do you have evening classes?\nI work days.",
        utm_source="google",
        last_utm_source="linkedin",
        last_utm_medium="social",
        last_utm_campaign="retarget",
        last_utm_term="ml ops",
        last_utm_content="carousel",
    )
    ConsentRecord.objects.create(
        lead=lead,
        submission=first,
        kind="given",
        consent_text=current_consent(),
        recorded_at=REQUESTED,
    )
    lead_consent_withdraw(lead=lead, now=REQUESTED + timedelta(days=10))
    return lead


def test_a_row_holds_every_field_a_crm_import_needs(coach_client, worked_lead, settings):
    response, rows = export(coach_client, [worked_lead])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    (row,) = rows
    assert row == {
        "lead_id": str(worked_lead.pk),
        "status": "contacted",
        "first_name": "Zoë",
        "last_name": "Ørsted",
        "email": "zoe@example.com",
        "phone": "+442079460958",  # E.164 as it is: no quote in front
        "country": "GB",
        "career_stage": "changer",
        "program": "MLOps and Model Deployment",
        "program_slug": "mlops",
        "owner": "Olu Owner",
        "owner_email": "owner@example.com",
        "requested_at": "2026-03-01T14:05:09Z",
        "last_request_at": "2026-03-04T14:05:09Z",
        "request_count": "2",
        "first_contacted_at": "2026-03-01T14:47:09Z",
        "minutes_to_first_contact": "42",
        "next_follow_up": "2026-03-09",
        "closed_at": "",
        "message": "Do you have evening classes?\nI work days.",
        "source_article": "MLOps salaries in 2026",
        "source_article_url": settings.SITE_URL
        + worked_lead.submissions.latest("created_at").article.get_absolute_url(),
        "sent_from_page": worked_lead.submissions.latest("created_at").page,
        "landing_page": "/articles/how-to/?utm_source=newsletter",
        "landing_referrer": "https://news.example/issue-12",
        "first_utm_source": "newsletter",
        "first_utm_medium": "email",
        "first_utm_campaign": "spring",
        "first_utm_term": "mlops",
        "first_utm_content": "hero",
        "last_utm_source": "linkedin",
        "last_utm_medium": "social",
        "last_utm_campaign": "retarget",
        "last_utm_term": "ml ops",
        "last_utm_content": "carousel",
        "consent_given_at": "2026-03-01T14:05:09Z",
        "consent_version": str(current_consent().version),
        "consent_withdrawn_at": "2026-03-11T14:05:09Z",
        "admin_url": f"{settings.SITE_URL}/admin/leads/lead/{worked_lead.pk}/change/",
    }
    assert list(row) == HEADERS


def test_times_are_utc_whatever_the_sites_time_zone(coach_client, worked_lead, settings):
    settings.TIME_ZONE = "America/New_York"
    _, (row,) = export(coach_client, [worked_lead])
    assert row["requested_at"] == "2026-03-01T14:05:09Z"


def test_formulas_are_guarded_in_text_a_person_typed_and_nowhere_else(coach_client):
    lead = LeadFactory(
        first_name='=HYPERLINK("http://evil.example","click")',
        last_name="@SUM(A1:A9)",
        email="-2+3@example.com",
        phone="+15005550006",
    )
    SubmissionFactory(
        lead=lead, message="+1 call me", utm_source="=cmd|' /C calc'!A0", last_utm_campaign="-x"
    )

    _, (row,) = export(coach_client, [lead])

    assert row["first_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["last_name"] == "'@SUM(A1:A9)"
    assert row["email"] == "'-2+3@example.com"
    assert row["message"] == "'+1 call me"
    assert row["first_utm_source"] == "'=cmd|' /C calc'!A0"
    assert row["last_utm_campaign"] == "'-x"
    assert row["phone"] == "+15005550006"


def test_a_number_that_is_not_e164_is_guarded_like_text(coach_client):
    lead = LeadFactory()
    Lead.objects.filter(pk=lead.pk).update(phone="+1 (500) 555")  # older data, never validated
    _, (row,) = export(coach_client, [lead])
    assert row["phone"] == "'+1 (500) 555"


def test_a_lead_without_requests_or_owner_has_empty_cells(coach_client):
    lead = LeadFactory(program=None)
    _, (row,) = export(coach_client, [lead])
    assert row["owner"] == row["program"] == row["message"] == row["first_utm_source"] == ""
    assert row["request_count"] == "0"


def test_export_queries_do_not_grow_with_leads(coach_client, django_assert_max_num_queries):
    """Guards the N+1 on each lead's program, owner, requests, articles and consent records."""
    for _ in range(2):
        SubmissionFactory(article=ArticleFactory())
    export(coach_client, Lead.objects.all())
    with django_assert_max_num_queries(30) as few:
        export(coach_client, Lead.objects.all())
    for _ in range(10):
        SubmissionFactory(article=ArticleFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        _, rows = export(coach_client, Lead.objects.all())
    assert len(rows) == 12


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("safe", "safe"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_utc_iso():
    assert utc_iso(None) == ""
    assert utc_iso(date(2026, 1, 2)) == "2026-01-02"
    assert utc_iso(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


@pytest.mark.parametrize("role", ROLES)
def test_only_coaches_export_leads(client, role):
    lead = LeadFactory(email="secret.person@example.com")
    client.force_login(staff_member(role))
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [lead.pk]})
    if role == "coach":
        assert response.status_code == 200
        assert b"secret.person@example.com" in b"".join(response.streaming_content)
    else:
        assert response.status_code == 403
