"""The leads as a CSV file for coaches and CRM imports: one row per lead, every time in UTC.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, so text a person
typed (names, e-mails, messages, campaign values...) is guarded with a leading `'`. Values whose
form the site checked are written as they are: an E.164 number (`+442079460958`) cannot be a
formula, and a quote in front would break every import that reads it.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from .attribution import UTM_KEYS
from .models import ConsentRecord, Lead, Submission, e164_validator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"  # spreadsheets then read the file as UTF-8 (accents, names)


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text: formulas (=, +, -, @...) are neutralised by a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def utc_iso(value: datetime | date | None) -> str:
    """ISO 8601: a time in UTC with a Z (2026-03-01T14:05:09Z), a date as 2026-03-01."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def phone_cell(phone: str) -> str:
    """A validated E.164 number as it is; anything else (older data) guarded like text."""
    try:
        e164_validator(phone)
    except ValidationError:
        return csv_safe(phone)
    return phone


@dataclass(frozen=True)
class LeadRow:
    """A lead with its requests (oldest first) and consent records, as the export reads it."""

    lead: Lead

    @property
    def requests(self) -> list[Submission]:
        return self.lead.export_submissions

    @property
    def first(self) -> Submission | None:
        return self.requests[0] if self.requests else None

    @property
    def latest(self) -> Submission | None:
        return self.requests[-1] if self.requests else None

    def consent(self, kind: str) -> ConsentRecord | None:
        records = [record for record in self.lead.export_consents if record.kind == kind]
        return records[-1] if records else None


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _latest(name: str) -> Callable[[LeadRow], str]:
    return lambda row: getattr(row.latest, name) if row.latest else ""


def _first(name: str) -> Callable[[LeadRow], str]:
    return lambda row: getattr(row.first, name) if row.first else ""


def _article_url(row: LeadRow) -> str:
    article = row.latest.article if row.latest else None
    return settings.SITE_URL + article.get_absolute_url() if article else ""


def _minutes_to_first_contact(row: LeadRow) -> str:
    elapsed = row.lead.time_to_first_contact
    return "" if elapsed is None else str(round(elapsed.total_seconds() / 60))


def _consent_version(row: LeadRow) -> str:
    given = row.consent(ConsentRecord.Kind.GIVEN)
    return str(given.consent_text.version) if given and given.consent_text else ""


# (header, value, is free text): free text is guarded against formulas, checked values are not.
COLUMNS: list[tuple[str, Callable[[LeadRow], object], bool]] = [
    ("lead_id", lambda row: row.lead.pk, False),
    ("status", lambda row: row.lead.status, False),
    ("first_name", lambda row: row.lead.first_name, True),
    ("last_name", lambda row: row.lead.last_name, True),
    ("email", lambda row: row.lead.email, True),
    ("phone", lambda row: phone_cell(row.lead.phone), False),
    ("country", lambda row: row.lead.country, False),
    ("career_stage", lambda row: row.lead.career_stage, False),
    ("program", lambda row: row.lead.program.name if row.lead.program else "", True),
    ("program_slug", lambda row: row.lead.program.slug if row.lead.program else "", False),
    ("owner", lambda row: _person(row.lead.owner), True),
    ("owner_email", lambda row: row.lead.owner.email if row.lead.owner else "", True),
    ("requested_at", lambda row: utc_iso(row.lead.created_at), False),
    ("last_request_at", lambda row: utc_iso(row.lead.last_submitted_at), False),
    ("request_count", lambda row: len(row.requests), False),
    ("first_contacted_at", lambda row: utc_iso(row.lead.first_contacted_at), False),
    ("minutes_to_first_contact", _minutes_to_first_contact, False),
    ("next_follow_up", lambda row: utc_iso(row.lead.next_follow_up), False),
    ("closed_at", lambda row: utc_iso(row.lead.closed_at), False),
    ("message", _latest("message"), True),
    (
        "source_article",
        lambda row: row.latest.article.title if row.latest and row.latest.article else "",
        True,
    ),
    ("source_article_url", _article_url, False),
    ("sent_from_page", _latest("page"), True),
    ("landing_page", _first("landing_page"), True),
    ("landing_referrer", _first("landing_referrer"), True),
    # First touch: how the person's first request's visit began; last touch: the latest
    # request's most recent campaign.
    *[(f"first_{key}", _first(key), True) for key in UTM_KEYS],
    *[(f"last_{key}", _latest(f"last_{key}"), True) for key in UTM_KEYS],
    (
        "consent_given_at",
        lambda row: utc_iso(getattr(row.consent(ConsentRecord.Kind.GIVEN), "recorded_at", None)),
        False,
    ),
    ("consent_version", _consent_version, False),
    (
        "consent_withdrawn_at",
        lambda row: utc_iso(
            getattr(row.consent(ConsentRecord.Kind.WITHDRAWN), "recorded_at", None)
        ),
        False,
    ),
    ("admin_url", lambda row: settings.SITE_URL + row.lead.get_admin_url(), False),
]
HEADERS = [header for header, _, _ in COLUMNS]


def export_queryset(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """The leads with everything a row needs, in a fixed number of queries whatever their count."""
    return (
        leads.select_related("program", "owner")
        .prefetch_related(
            Prefetch(
                "submissions",
                queryset=Submission.objects.select_related("article").order_by("created_at", "pk"),
                to_attr="export_submissions",
            ),
            Prefetch(
                "consents",
                queryset=ConsentRecord.objects.select_related("consent_text").order_by(
                    "recorded_at", "pk"
                ),
                to_attr="export_consents",
            ),
        )
        .order_by("created_at", "pk")
    )


def lead_cells(lead: Lead) -> list[str]:
    row = LeadRow(lead)
    return [csv_safe(value(row)) if is_text else str(value(row)) for _, value, is_text in COLUMNS]


class _Line:
    """csv.writer writes into it; each row comes back as one string to stream."""

    def write(self, text: str) -> str:
        return text


def csv_lines(leads: Iterable[Lead]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BYTE_ORDER_MARK + writer.writerow(HEADERS)
    for lead in leads:
        yield writer.writerow(lead_cells(lead))
