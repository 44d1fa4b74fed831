import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from articles.models import Article
from careers_site.cache import get_quietly, read_through, set_quietly
from careers_site.personal_data import normalise_email

from .attribution import UTM_KEYS, Attribution
from .emails import confirmation_email, notification_email
from .models import (
    COACHES_GROUP,
    ArticleDayViews,
    CoachEmail,
    ConsentRecord,
    ConsentText,
    ContactTarget,
    Lead,
    LeadNote,
    LeadStatusChange,
    Program,
    ProgramCoach,
    Submission,
    WebhookDelivery,
)
from .permissions import lead_owners, may_own_leads

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Leads-Signature"
PROGRAMS_KEY = "leads:active-programs"
PROGRAMS_SECONDS = 300  # as CONSENT_TEXT_SECONDS: bounds a copy that outlived a missed change
CONSENT_TEXT_KEY = "leads:consent-text"
# A new or edited wording clears the key at once (receivers.py), and a wording published for a
# later time replaces the cached one when that time comes; this bounds a copy that outlived a
# change the cache missed (Redis down while staff saved it).
CONSENT_TEXT_SECONDS = 300


@dataclass(frozen=True)
class LeadRequest:
    """What a person sent, already validated by the form."""

    first_name: str
    last_name: str
    email: str
    program: Program
    phone: str = ""
    country: str = ""
    career_stage: str = ""
    message: str = ""
    consent_text: ConsentText | None = None
    page: str = ""
    article: Article | None = None


def active_programs() -> dict[int, Program]:
    """The programs the form offers, by id, read from the cache: a request is checked against
    them without a query. Cleared when staff change a program (receivers.py)."""
    return read_through(
        PROGRAMS_KEY,
        PROGRAMS_SECONDS,
        lambda: {program.pk: program for program in Program.objects.active()},
    )


def current_consent_text() -> ConsentText | None:
    """The wording shown next to the checkbox now, read from the cache: every form shown and
    every request sent needs it, and it changes a few times a year."""
    now = timezone.now()
    cached = get_quietly(CONSENT_TEXT_KEY)
    if cached is not None:
        text, replaced_at = cached
        if replaced_at is None or now < replaced_at:
            return text
    text = ConsentText.objects.current()
    replaced_at = (
        ConsentText.objects.filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    set_quietly(CONSENT_TEXT_KEY, (text, replaced_at), CONSENT_TEXT_SECONDS)
    return text


def lead_submit(
    *,
    request: LeadRequest,
    attribution: Attribution | None = None,
    client_hash: str = "",
    now: datetime | None = None,
) -> Submission:
    """Save a request: one Lead per e-mail address, one Submission per request, then notify.

    The lead row is claimed through the case-insensitive unique constraint, so two simultaneous
    first requests with one address give one lead; the loser of the race updates the winner's row.
    E-mails and the webhook are scheduled after commit and retried until delivered.
    """
    now = now or timezone.now()
    attribution = attribution or Attribution()
    try:
        return _save_request(request, attribution, client_hash, now)
    except IntegrityError:
        # Another request with this address created its lead between our look-up and our insert
        # (the unique index on LOWER(email) refused ours, and the transaction was rolled back):
        # the look-up finds that lead now. No savepoint is spent on the usual case.
        return _save_request(request, attribution, client_hash, now)


def _save_request(
    request: LeadRequest, attribution: Attribution, client_hash: str, now: datetime
) -> Submission:
    email = normalise_email(request.email)
    contact = {
        "first_name": request.first_name,
        "last_name": request.last_name,
        "program": request.program,
    }
    optional = {
        "phone": request.phone,
        "country": request.country,
        "career_stage": request.career_stage,
    }
    with transaction.atomic():
        lead = _by_email(email).first()
        if lead is None:
            lead = Lead.objects.create(
                email=email, created_at=now, last_submitted_at=now, **contact, **optional
            )
        else:
            for field, value in contact.items():
                setattr(lead, field, value)
            for field, value in optional.items():
                if value:  # a returning person who leaves a field out keeps what we had
                    setattr(lead, field, value)
            lead.last_submitted_at = now
            if lead.is_closed:
                _status_change(lead=lead, status=Lead.Status.RETURNING, changed_by=None, now=now)
            lead.save()
        owner = _route(lead, request.program, now)
        submission = Submission.objects.create(
            lead=lead,
            program=request.program,
            first_name=request.first_name,
            last_name=request.last_name,
            email=request.email,
            phone=request.phone,
            country=request.country,
            career_stage=request.career_stage,
            message=request.message,
            page=request.page,
            article=request.article,
            created_at=now,
            notification_status=(
                Submission.Delivery.PENDING
                if settings.LEADS_NOTIFY_EMAILS
                else Submission.Delivery.SKIPPED
            ),
            webhook_status=(
                Submission.Delivery.PENDING
                if settings.LEADS_WEBHOOK_URL
                else Submission.Delivery.SKIPPED
            ),
            **attribution.submission_fields(),
        )
        ConsentRecord.objects.create(
            lead=lead,
            submission=submission,
            kind=ConsentRecord.Kind.GIVEN,
            consent_text=request.consent_text,
            wording=request.consent_text.text if request.consent_text else "",
            recorded_at=now,
            client_hash=client_hash,
        )
        if owner is not None:
            _email_coaches(CoachEmail.Kind.ASSIGNED, lead, [owner.email])
        transaction.on_commit(lambda: _schedule_side_effects(submission))
    return submission


def _route(lead: Lead, program: Program, now: datetime):
    """The coach this request goes to, who is then told.

    A lead keeps its owner while the owner's account is active (a person keeps their coach);
    else the request goes to the program's next coach in turn, the one given a request longest
    ago (or never), skipping inactive accounts and anyone out of the coaches group. None: no coach
    is available and the lead stays as it was (unassigned, or with its former owner shown as
    such). The program's coach rows are locked, so that simultaneous requests go to different
    coaches.
    """
    if lead.owner_id is not None and lead.owner.is_active:
        return lead.owner
    # Locked, the coaches' rows are read fresh, and the next one is chosen from them.
    entries = list(
        ProgramCoach.objects.select_for_update(of=("self",))
        .filter(program=program, coach__in=lead_owners())
        .select_related("coach")
    )
    if not entries:
        return None
    turn = min(
        entries,
        key=lambda entry: (entry.last_assigned_at is not None, entry.last_assigned_at, entry.pk),
    )
    ProgramCoach.objects.filter(pk=turn.pk).update(last_assigned_at=now)
    Lead.objects.filter(pk=lead.pk).update(owner=turn.coach)
    lead.owner = turn.coach
    return turn.coach


def _by_email(email: str):
    """The lead with this address, looked up through the unique index on LOWER(email) (a plain
    `email=` comparison cannot use it and reads every lead)."""
    return (
        Lead.objects.select_for_update()
        .alias(email_ci=Lower("email"))
        .filter(email_ci=email.strip().lower())
    )


def _schedule_side_effects(submission: Submission) -> None:
    from .tasks import (
        deliver_submission_emails,
        deliver_submission_webhook,
        escalate_lead_when_due,
        run_later,
    )

    try:
        deliver_submission_emails.enqueue(submission_id=submission.pk)
        if submission.webhook_status == Submission.Delivery.PENDING:
            deliver_submission_webhook.enqueue(submission_id=submission.pk)
        due = contact_due_at(submission.lead)
        if due is not None:
            run_later(
                escalate_lead_when_due, at=due, lead_id=submission.lead_id, due=due.isoformat()
            )
    except Exception:  # the request is saved; `send_pending_notifications` catches up
        logger.exception("Could not schedule the side effects of submission %s", submission.pk)


def _status_change(*, lead: Lead, status: str, changed_by, now: datetime) -> None:
    """Move a lead to `status` (not saved), recording the history and the speed to lead."""
    if status == lead.status:
        return
    LeadStatusChange.objects.create(
        lead=lead, from_status=lead.status, to_status=status, changed_by=changed_by, changed_at=now
    )
    if lead.first_contacted_at is None and status in Lead.CONTACTED_STATUSES:
        lead.first_contacted_at = now
    lead.closed_at = now if status in Lead.CLOSED_STATUSES else None
    lead.status = status


STATUS_FIELDS = ("status", "first_contacted_at", "closed_at")


def lead_status_set(
    *, lead: Lead, status: str, changed_by=None, now: datetime | None = None
) -> Lead:
    with transaction.atomic():
        _status_change(lead=lead, status=status, changed_by=changed_by, now=now or timezone.now())
        lead.save(update_fields=[*STATUS_FIELDS, "updated_at"])
    return lead


def owner_refused_message(owner) -> str:
    name = owner.get_full_name() or owner.get_username()
    return (
        f"{name} cannot own leads: only active staff in the “{COACHES_GROUP}” group can. "
        "Choose a coach, or ask an administrator to add them to the group."
    )


def _check_owner(owner) -> None:
    if owner is not None and not may_own_leads(owner):
        raise ValidationError({"owner": owner_refused_message(owner)}, code="not_a_coach")


def lead_assign(*, lead: Lead, owner, assigned_by=None) -> Lead:
    """Give the lead to `owner` (None: nobody), who is told by e-mail unless they did it.
    Refused (ValidationError) for anyone but an active coach, so that a lead never has an owner
    its page cannot offer."""
    _check_owner(owner)
    with transaction.atomic():
        changed = lead.owner_id != (owner.pk if owner else None)
        lead.owner = owner
        lead.save(update_fields=["owner", "updated_at"])
        if changed:
            _tell_new_owner(lead, owner, assigned_by)
    return lead


def _tell_new_owner(lead: Lead, owner, assigned_by) -> None:
    if owner is not None and owner != assigned_by:
        _email_coaches(CoachEmail.Kind.ASSIGNED, lead, [owner.email])


def lead_edit(*, lead: Lead, changes: dict, changed_by=None, now: datetime | None = None) -> Lead:
    """Write what a coach changed on the lead's page, and nothing else.

    Only the fields in `changes` are written (a field the coach did not touch keeps whatever is
    in the database, also when someone else changed it meanwhile); a new status goes through the
    history, a new owner must be a coach (ValidationError otherwise).
    """
    changes = dict(changes)
    status = changes.pop("status", None)
    if "owner" in changes:
        _check_owner(changes["owner"])
    with transaction.atomic():
        fresh = Lead.objects.select_for_update().get(pk=lead.pk)
        for name, value in changes.items():
            setattr(fresh, name, value)
        fields = set(changes)
        if status is not None and status != fresh.status:
            _status_change(
                lead=fresh, status=status, changed_by=changed_by, now=now or timezone.now()
            )
            fields.update(STATUS_FIELDS)
        if fields:
            fresh.save(update_fields=[*sorted(fields), "updated_at"])
        if "owner" in changes:
            _tell_new_owner(fresh, changes["owner"], changed_by)
    for field in Lead._meta.concrete_fields:
        setattr(lead, field.attname, getattr(fresh, field.attname))
    return lead


def article_day_view_add(*, article_id: int, day: date) -> None:
    """One more view of the article on that day: an UPDATE, or the day's row when it is the
    first (claimed through the unique constraint, so simultaneous first views both count)."""
    views = ArticleDayViews.objects.filter(article_id=article_id, day=day)
    if views.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            ArticleDayViews.objects.create(article_id=article_id, day=day, views=1)
    except IntegrityError:
        views.update(views=F("views") + 1)


def lead_note_add(
    *, lead: Lead, author, text: str, kind: str = LeadNote.Kind.NOTE, now: datetime | None = None
) -> LeadNote:
    """Keep a coach's note. A call, e-mail, message or meeting is a recorded contact: the first
    one is the lead's first contact, and a lead still New or Returning becomes Contacted."""
    now = now or timezone.now()
    with transaction.atomic():
        note = LeadNote.objects.create(
            lead=lead, author=author, text=text, kind=kind, created_at=now
        )
        if kind in LeadNote.CONTACT_KINDS:
            fresh = Lead.objects.select_for_update().get(pk=lead.pk)
            if fresh.status in Lead.UNCONTACTED_STATUSES:
                _status_change(lead=fresh, status=Lead.Status.CONTACTED, changed_by=author, now=now)
            if fresh.first_contacted_at is None:
                fresh.first_contacted_at = now
            fresh.save(update_fields=[*STATUS_FIELDS, "updated_at"])
            for field in STATUS_FIELDS + ("awaiting_contact_since",):
                setattr(lead, field, getattr(fresh, field))
    return note


def _email_coaches(kind: str, lead: Lead, recipients) -> list[CoachEmail]:
    """Record the e-mails to send, then send each from a task once the transaction commits."""
    emails = [
        CoachEmail.objects.create(kind=kind, lead=lead, recipient=address)
        for address in dict.fromkeys(address.strip().lower() for address in recipients if address)
    ]
    for email in emails:
        transaction.on_commit(partial(_enqueue_coach_email, email.pk), robust=True)
    return emails


def _enqueue_coach_email(email_id: int) -> None:
    from .tasks import deliver_coach_email

    try:
        deliver_coach_email.enqueue(email_id=email_id)
    except Exception:  # recorded as pending: `send_pending_notifications` sends it later
        logger.exception("Could not schedule coach e-mail %s", email_id)


def coach_email_send(*, email_id: int) -> bool:
    """Send one pending coach e-mail. True when nothing is left to send; a failure is recorded."""
    from .emails import coach_email_message

    with transaction.atomic():
        email = (
            CoachEmail.objects.select_for_update(of=("self",))
            .select_related("lead__program", "lead__owner")
            .filter(pk=email_id, status=Submission.Delivery.PENDING)
            .first()
        )
        if email is None:
            return True
        email.attempts += 1
        try:
            coach_email_message(email).send()
        except Exception as error:  # SMTP down, refused, timed out...
            logger.warning("Coach e-mail %s not sent: %r", email.pk, error)
            email.last_error = repr(error)[:500]
            if email.attempts >= settings.LEADS_EMAIL_MAX_ATTEMPTS:
                email.status = Submission.Delivery.FAILED
        else:
            email.status = Submission.Delivery.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return email.status != Submission.Delivery.PENDING


def contact_due_at(lead: Lead, target: ContactTarget | None = None) -> datetime | None:
    """When the lead's wait goes over the first-contact target (None: it waits for nobody)."""
    if lead.awaiting_contact_since is None:
        return None
    return lead.awaiting_contact_since + (target or ContactTarget.current()).delay


def escalation_recipients(program: Program | None) -> list[str]:
    """The program's lead coach; without one (or without an address), LEADS_NOTIFY_EMAILS."""
    lead_coach = program.lead_coach if program else None
    if lead_coach is not None and lead_coach.is_active and lead_coach.email:
        return [lead_coach.email]
    return list(settings.LEADS_NOTIFY_EMAILS)


def lead_escalate(*, lead_id: int, now: datetime | None = None) -> datetime | None:
    """Tell the program's lead coach once that the lead waits longer than the target.

    Returns when to look again: the time the wait goes over the target if it has not yet (the
    target may have been raised since the check was scheduled), else None.
    """
    now = now or timezone.now()
    target = ContactTarget.current()
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("program__lead_coach")
            .filter(pk=lead_id)
            .first()
        )
        due = contact_due_at(lead, target) if lead else None
        if due is None or lead.escalated_at is not None:
            return None
        if due > now:
            return due
        lead.escalated_at = now
        lead.save(update_fields=["escalated_at", "updated_at"])
        _email_coaches(CoachEmail.Kind.ESCALATED, lead, escalation_recipients(lead.program))
    return None


def leads_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every lead waiting longer than the target and not told about yet (cron's
    catch-up for the checks scheduled at each request). Returns how many were escalated."""
    now = now or timezone.now()
    due = now - ContactTarget.current().delay
    waiting = Lead.objects.filter(awaiting_contact_since__lte=due, escalated_at=None)
    escalated = 0
    for lead_id in list(waiting.values_list("pk", flat=True)):
        lead_escalate(lead_id=lead_id, now=now)
        escalated += Lead.objects.filter(pk=lead_id, escalated_at=now).exists()
    return escalated


def lead_consent_withdraw(
    *, lead: Lead, recorded_by=None, client_hash: str = "", now: datetime | None = None
) -> ConsentRecord:
    return ConsentRecord.objects.create(
        lead=lead,
        kind=ConsentRecord.Kind.WITHDRAWN,
        recorded_at=now or timezone.now(),
        recorded_by=recorded_by,
        client_hash=client_hash,
    )


def submission_emails_send(*, submission_id: int) -> bool:
    """Send whichever of the two e-mails is still pending. True when none is left pending.

    The row is locked while sending so that the retry task and `send_pending_notifications` never
    send the same e-mail twice. A failure leaves the e-mail pending and records the error.
    """
    pending = Submission.Delivery.PENDING
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("lead", "program")
            .filter(pk=submission_id)
            .first()
        )
        if submission is None:
            return True
        builders = {
            "confirmation_status": confirmation_email,
            "notification_status": notification_email,
        }
        errors = []
        for field, build in builders.items():
            if getattr(submission, field) != pending:
                continue
            try:
                build(submission).send()
            except Exception as error:  # SMTP down, refused, timed out...
                logger.warning("E-mail for submission %s not sent: %r", submission.pk, error)
                errors.append(f"{field.split('_')[0]}: {error!r}")
            else:
                setattr(submission, field, Submission.Delivery.SENT)
        submission.email_attempts += 1
        submission.last_email_error = "; ".join(errors)[:500]
        submission.save(
            update_fields=[
                "confirmation_status",
                "notification_status",
                "email_attempts",
                "last_email_error",
            ]
        )
    return not errors


def submission_webhook_payload(submission: Submission) -> dict:
    lead = submission.lead
    return {
        "event": "lead.submitted",
        "submission": {
            "id": submission.pk,
            "created_at": submission.created_at.isoformat(),
            "first_name": submission.first_name,
            "last_name": submission.last_name,
            "email": submission.email,
            "phone": submission.phone,
            "country": submission.country,
            "career_stage": submission.career_stage,
            "program": submission.program.slug if submission.program else None,
            "message": submission.message,
            "page": submission.page,
            "article": submission.article.slug if submission.article else None,
            "attribution": {
                "first": {key: getattr(submission, key) for key in UTM_KEYS},
                "last": {key: getattr(submission, f"last_{key}") for key in UTM_KEYS},
                "landing_referrer": submission.landing_referrer,
                "landing_page": submission.landing_page,
            },
        },
        "lead": {
            "id": lead.pk,
            "email": lead.email,
            "status": lead.status,
            "admin_url": settings.SITE_URL + lead.get_admin_url(),
        },
    }


def webhook_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def submission_webhook_send(*, submission_id: int, attempt: int = 1) -> bool:
    """POST the submission to the CRM once, logging the attempt. True when it was accepted."""
    url = settings.LEADS_WEBHOOK_URL
    submission = (
        Submission.objects.select_related("lead", "program", "article")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or submission.webhook_status != Submission.Delivery.PENDING:
        return True
    if not url:
        Submission.objects.filter(pk=submission_id).update(
            webhook_status=Submission.Delivery.SKIPPED
        )
        return True
    body = json.dumps(submission_webhook_payload(submission), sort_keys=True).encode()
    http_request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"{settings.SITE_NAME} leads webhook",
            SIGNATURE_HEADER: webhook_signature(body, settings.LEADS_WEBHOOK_SECRET),
            "X-Leads-Delivery": f"{submission.pk}-{attempt}",
        },
    )
    status_code, error = None, ""
    try:
        with urllib.request.urlopen(http_request, timeout=settings.LEADS_WEBHOOK_TIMEOUT) as reply:
            status_code = reply.status
    except urllib.error.HTTPError as http_error:
        status_code, error = http_error.code, f"HTTP {http_error.code}"
    except Exception as other:  # refused, timed out, DNS...
        error = repr(other)
    succeeded = status_code is not None and 200 <= status_code < 300
    WebhookDelivery.objects.create(
        submission=submission,
        attempt=attempt,
        url=url[:500],
        status_code=status_code,
        succeeded=succeeded,
        error=error[:500],
    )
    if succeeded:
        submission.webhook_status = Submission.Delivery.SENT
    elif attempt >= settings.LEADS_WEBHOOK_MAX_ATTEMPTS:
        submission.webhook_status = Submission.Delivery.FAILED
    submission.save(update_fields=["webhook_status"])
    return succeeded


def retry_delay(attempt: int) -> timedelta:
    """Back-off: 1, 2, 4, 8... minutes (LEADS_RETRY_SECONDS), at most six hours."""
    return min(
        timedelta(seconds=settings.LEADS_RETRY_SECONDS * 2 ** (attempt - 1)), timedelta(hours=6)
    )


def leads_purge(*, now: datetime | None = None) -> int:
    """Delete leads closed for longer than LEADS_RETENTION_DAYS, with their submissions."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.LEADS_RETENTION_DAYS)
    leads = Lead.objects.closed().filter(closed_at__lte=cutoff)
    count = leads.count()
    leads.delete()
    return count
