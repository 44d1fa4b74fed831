from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COACHES_GROUP = "Enrollment coaches"
DEFAULT_FIRST_CONTACT_MINUTES = 60  # speed to lead: the hour sales teams hold themselves to

e164_validator = RegexValidator(
    r"^\+[1-9]\d{6,14}$", "Enter the number in E.164 form, e.g. +442079460958."
)
country_code_validator = RegexValidator(r"^[A-Z]{2}$", "Enter a two-letter country code, e.g. GB.")


class ContactTarget(models.Model):
    """How soon a new request should be contacted, set by staff: one row for the whole desk."""

    first_contact_minutes = models.PositiveIntegerField(
        "first contact within (minutes)",
        default=DEFAULT_FIRST_CONTACT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text="A request not contacted within this time is flagged in the follow-up queue "
        "and its program's lead coach is told by e-mail. 60 minutes by default.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "first-contact target"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="contact_target_single_row")]

    def __str__(self) -> str:
        return f"First contact within {self.first_contact_minutes} minutes"

    @classmethod
    def current(cls) -> "ContactTarget":
        target, _ = cls.objects.get_or_create(pk=1)
        return target

    @property
    def delay(self) -> timedelta:
        return timedelta(minutes=self.first_contact_minutes)


class ProgramQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Program(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One line for coaches; not shown to readers."
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Only active programs are offered in the form."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Programs are listed in the form in this order."
    )
    lead_coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_programs",
        help_text="Told by e-mail when a request for this program waits longer than the "
        "first-contact target.",
    )
    coaches = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProgramCoach",
        related_name="coached_programs",
        blank=True,
        help_text="New requests go to these coaches in turn, skipping inactive accounts.",
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ("position", "name")
        constraints = [models.UniqueConstraint(fields=("slug",), name="program_unique_slug")]

    def __str__(self) -> str:
        return self.name


class ProgramCoach(models.Model):
    """A coach who takes this program's requests, in turn: the one given a request longest ago
    (or never) is next."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="routing")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_routing"
    )
    last_assigned_at = models.DateTimeField(
        "last request given", null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ("pk",)
        verbose_name = "coach"
        constraints = [
            models.UniqueConstraint(fields=("program", "coach"), name="program_coach_once")
        ]

    def __str__(self) -> str:
        return f"{self.coach} for {self.program}"


class ConsentTextQuerySet(models.QuerySet):
    def current(self) -> "ConsentText | None":
        return self.filter(published_at__lte=timezone.now()).order_by("-version").first()


class ConsentText(models.Model):
    """A version of the consent wording shown next to the checkbox. Versions are never edited."""

    version = models.PositiveIntegerField(help_text="A higher version replaces the one before.")
    text = models.TextField(help_text="Exactly what readers agree to, shown next to the checkbox.")
    published_at = models.DateTimeField(
        default=timezone.now, help_text="The wording is shown from this time on."
    )

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        ordering = ("-version",)
        verbose_name = "consent wording"
        constraints = [
            models.UniqueConstraint(fields=("version",), name="consent_text_unique_version")
        ]

    def __str__(self) -> str:
        return f"Version {self.version}"


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Lead.CLOSED_STATUSES)

    def closed(self):
        return self.filter(status__in=Lead.CLOSED_STATUSES)

    def follow_up_queue(self, *, now=None):
        """New and returning requests nobody has contacted yet, and overdue follow-ups."""
        now = now or timezone.now()
        return (
            self.open()
            .filter(
                Q(status__in=(Lead.Status.NEW, Lead.Status.RETURNING))
                | Q(next_follow_up__lte=timezone.localdate(now))
            )
            .order_by("last_submitted_at", "pk")
        )

    def with_duplicate_flag(self):
        """Annotate `has_possible_duplicate`: another lead with the same phone or the same name."""
        others = Lead.objects.exclude(pk=OuterRef("pk"))
        same_phone = others.filter(phone=OuterRef("phone")).exclude(phone="")
        same_name = others.filter(
            first_name__iexact=OuterRef("first_name"), last_name__iexact=OuterRef("last_name")
        )
        return self.annotate(has_possible_duplicate=Exists(same_phone) | Exists(same_name))


class Lead(models.Model):
    """One person who asked for information; each request is a Submission of theirs."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        RETURNING = "returning", _("Returning")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        APPLIED = "applied", _("Applied")
        ENROLLED = "enrolled", _("Enrolled")
        NOT_INTERESTED = "not_interested", _("Not interested")

    CLOSED_STATUSES = (Status.ENROLLED, Status.NOT_INTERESTED)
    UNCONTACTED_STATUSES = (Status.NEW, Status.RETURNING)
    # A coach spoke with the person to get there; "Not interested" may close a lead unheard.
    CONTACTED_STATUSES = (Status.CONTACTED, Status.QUALIFIED, Status.APPLIED, Status.ENROLLED)

    class CareerStage(models.TextChoices):
        STUDENT = "student", _("Student")
        EARLY = "early", _("Early career (0–3 years)")
        MID = "mid", _("Mid career (3–10 years)")
        SENIOR = "senior", _("Senior or leadership")
        CHANGER = "changer", _("Changing careers into AI/ML")

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(
        "e-mail", max_length=254, help_text="Stored trimmed and in lower case: one lead a person."
    )
    phone = models.CharField(
        max_length=20,
        blank=True,
        validators=[e164_validator],
        help_text="E.164, e.g. +442079460958.",
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_code_validator],
        help_text="ISO 3166 country code, e.g. GB.",
    )
    career_stage = models.CharField(max_length=20, choices=CareerStage, blank=True)
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        help_text="The program of the latest request.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_leads",
        help_text="The enrollment coach working this lead.",
    )
    next_follow_up = models.DateField("next follow-up", null=True, blank=True)
    first_contacted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The first recorded contact: a call, e-mail, message or meeting noted, or the "
        "status moved to Contacted or beyond.",
    )
    awaiting_contact_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="While New or Returning: the request that waits for a coach (the first one, or "
        "the one that reopened the lead).",
    )
    escalated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the wait went over the first-contact target and the program's lead "
        "coach was told.",
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("requested at", default=timezone.now, editable=False)
    last_submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ("-last_submitted_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="lead_unique_email_ci",
                violation_error_message="A lead with this e-mail address already exists.",
            )
        ]
        indexes = [
            models.Index(fields=("status", "last_submitted_at"), name="lead_status_idx"),
            models.Index(fields=("phone",), name="lead_phone_idx"),
            models.Index(fields=("awaiting_contact_since",), name="lead_awaiting_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        self._keep_the_wait()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "awaiting_contact_since", "escalated_at"}
        super().save(*args, **kwargs)

    def _keep_the_wait(self) -> None:
        """A New or Returning lead waits for contact from its request; any other has no wait.
        A new wait starts unescalated."""
        if self.status not in self.UNCONTACTED_STATUSES:
            self.awaiting_contact_since = None
        elif self.awaiting_contact_since is None:
            self.awaiting_contact_since = (
                self.created_at if self.status == self.Status.NEW else self.last_submitted_at
            )
            self.escalated_at = None

    def get_admin_url(self) -> str:
        return reverse("admin:leads_lead_change", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def time_to_first_contact(self) -> timedelta | None:
        if self.first_contacted_at is None:
            return None
        return self.first_contacted_at - self.created_at

    def possible_duplicates(self) -> models.QuerySet["Lead"]:
        """Leads the e-mail rule does not merge but that may be the same person."""
        same_phone = Q(phone=self.phone) if self.phone else Q(pk__in=[])
        same_name = Q(first_name__iexact=self.first_name, last_name__iexact=self.last_name)
        return Lead.objects.exclude(pk=self.pk).filter(same_phone | same_name)


class Submission(models.Model):
    """One information request, kept as it was sent, with where it came from."""

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")
        SKIPPED = "skipped", _("Not needed")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="submissions")
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, related_name="submissions"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField("e-mail", max_length=254)
    phone = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    career_stage = models.CharField(max_length=20, choices=Lead.CareerStage, blank=True)
    message = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Attribution: where the request was sent from and how the visit began.
    page = models.CharField("sent from page", max_length=500, blank=True)
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="source article",
    )
    landing_page = models.CharField(max_length=500, blank=True)
    landing_referrer = models.CharField(max_length=500, blank=True)
    utm_source = models.CharField("first UTM source", max_length=200, blank=True)
    utm_medium = models.CharField("first UTM medium", max_length=200, blank=True)
    utm_campaign = models.CharField("first UTM campaign", max_length=200, blank=True)
    utm_term = models.CharField("first UTM term", max_length=200, blank=True)
    utm_content = models.CharField("first UTM content", max_length=200, blank=True)
    last_utm_source = models.CharField("last UTM source", max_length=200, blank=True)
    last_utm_medium = models.CharField("last UTM medium", max_length=200, blank=True)
    last_utm_campaign = models.CharField("last UTM campaign", max_length=200, blank=True)
    last_utm_term = models.CharField("last UTM term", max_length=200, blank=True)
    last_utm_content = models.CharField("last UTM content", max_length=200, blank=True)
    # Side effects, each delivered later and retried until done.
    confirmation_status = models.CharField(
        max_length=10, choices=Delivery, default=Delivery.PENDING
    )
    notification_status = models.CharField(
        max_length=10, choices=Delivery, default=Delivery.PENDING
    )
    webhook_status = models.CharField(max_length=10, choices=Delivery, default=Delivery.SKIPPED)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    last_email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=("created_at",), name="submission_created_idx"),
            models.Index(
                fields=("notification_status", "confirmation_status"),
                name="submission_delivery_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Request #{self.pk} from {self.first_name} {self.last_name}"

    @property
    def has_pending_email(self) -> bool:
        pending = self.Delivery.PENDING
        return pending in (self.confirmation_status, self.notification_status)


class CoachEmail(models.Model):
    """An e-mail to a coach about a lead (a request given to them, a wait over the target),
    recorded first and sent by a task, so that a mail server that is down delays it only."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Lead given to the coach")
        ESCALATED = "escalated", _("Waiting longer than the target")

    kind = models.CharField(max_length=10, choices=Kind)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="coach_emails")
    recipient = models.EmailField()
    status = models.CharField(
        max_length=10, choices=Submission.Delivery, default=Submission.Delivery.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("status", "created_at"), name="coach_email_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.status})"


class ConsentRecord(models.Model):
    """The consent ledger: what a person agreed to (or withdrew), when, and from which client."""

    class Kind(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="consents")
    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="consent"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, null=True, blank=True)
    wording = models.TextField(help_text="The exact wording shown.", blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    client_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the client address; never the address."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("recorded_at", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recorded_at:%Y-%m-%d %H:%M}"


class LeadNote(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        MESSAGE = "message", _("Text or chat message")
        MEETING = "meeting", _("Meeting")

    # Each of these records a contact with the person: the first one is the first contact.
    CONTACT_KINDS = (Kind.CALL, Kind.EMAIL, Kind.MESSAGE, Kind.MEETING)

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(
        max_length=10,
        choices=Kind,
        default=Kind.NOTE,
        help_text="A call, e-mail, message or meeting records a contact with the person.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Note by {self.author or 'someone'} on {self.created_at:%Y-%m-%d}"


class LeadStatusChange(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Lead.Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Lead.Status)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class WebhookDelivery(models.Model):
    """One attempt to hand a submission to the CRM."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    attempt = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("attempted_at", "pk")
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"Attempt {self.attempt} for request #{self.submission_id}"


class ArticleDayViews(models.Model):
    """Views counted on an article in one day (the site's time zone), so that the attribution
    report divides requests by views of the same period. Counted from the article's view
    counter (articles.signals.article_view_counted) since this table exists."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "article views in a day"
        verbose_name_plural = "article views by day"
        constraints = [
            models.UniqueConstraint(fields=("article", "day"), name="article_day_views_once")
        ]
        indexes = [models.Index(fields=("day",), name="article_day_views_day_idx")]

    def __str__(self) -> str:
        return f"{self.views} views of article {self.article_id} on {self.day:%Y-%m-%d}"
