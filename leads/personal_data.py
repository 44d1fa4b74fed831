"""What the leads app stores about a person, for `manage.py personal_data export|erase EMAIL`."""

from django.db.models import Q

from .models import ConsentRecord, Lead, Submission

SUBMISSION_FIELDS = (
    "created_at",
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "career_stage",
    "message",
    "page",
    "landing_page",
    "landing_referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "last_utm_source",
    "last_utm_medium",
    "last_utm_campaign",
)


def _submissions(email: str):
    return Submission.objects.filter(Q(email__iexact=email) | Q(lead__email__iexact=email))


def export(email: str) -> dict:
    leads = Lead.objects.filter(email__iexact=email).select_related("program")
    return {
        "leads": [
            {
                "first_name": lead.first_name,
                "last_name": lead.last_name,
                "email": lead.email,
                "phone": lead.phone,
                "country": lead.country,
                "program": str(lead.program or ""),
                "status": lead.status,
                "created_at": lead.created_at,
                "notes": [note.text for note in lead.notes.all()],
                "consents": [
                    {"kind": c.kind, "wording": c.wording, "recorded_at": c.recorded_at}
                    for c in ConsentRecord.objects.filter(lead=lead)
                ],
            }
            for lead in leads
        ],
        "submissions": [
            {field: getattr(s, field) for field in SUBMISSION_FIELDS}
            | {"program": str(s.program or "")}
            for s in _submissions(email).select_related("program")
        ],
    }


def erase(email: str) -> int:
    """Delete the person's leads and requests (notes, history and consent ledger go with them)."""
    submissions, _ = _submissions(email).delete()
    leads, _ = Lead.objects.filter(email__iexact=email).delete()
    return submissions + leads
