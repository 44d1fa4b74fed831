from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from articles.models import Article

from . import exports, reports
from .models import (
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
from .permissions import can_see_attribution, is_coach, lead_owners, may_own_leads
from .services import (
    lead_assign,
    lead_consent_withdraw,
    lead_edit,
    lead_note_add,
    lead_status_set,
)
from .templatetags.leads_admin import duration_hours


class CoachOnlyMixin:
    """Lead details are for enrollment coaches and superusers: model permissions alone are not
    enough, so that an editor or moderator given a permission by mistake still sees nothing."""

    def has_module_permission(self, request):
        return is_coach(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_coach(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_coach(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_coach(request.user) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return is_coach(request.user) and super().has_delete_permission(request, obj)


class ReadOnlyMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactTarget)
class ContactTargetAdmin(admin.ModelAdmin):
    """One row for the whole desk: the list opens it, nothing is added or deleted."""

    fields = ("first_contact_minutes", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        target = ContactTarget.current()
        return HttpResponseRedirect(reverse("admin:leads_contacttarget_change", args=[target.pk]))


@admin.register(CoachEmail)
class CoachEmailAdmin(CoachOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("kind", "lead", "recipient", "status", "attempts", "created_at", "sent_at")
    list_filter = ("kind", "status")
    list_select_related = ("lead",)
    search_fields = ("recipient",)


class ProgramAdminForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ("name", "slug", "summary", "is_active", "position", "lead_coach")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lead_coach" in self.fields:
            lead_coach = self.instance.lead_coach if self.instance.lead_coach_id else None
            offer_coaches(self.fields["lead_coach"], lead_coach)


class ProgramCoachForm(forms.ModelForm):
    class Meta:
        model = ProgramCoach
        fields = ("coach",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "coach" in self.fields:
            offer_coaches(
                self.fields["coach"], self.instance.coach if self.instance.coach_id else None
            )


class ProgramCoachInline(admin.TabularInline):
    model = ProgramCoach
    form = ProgramCoachForm
    extra = 1
    fields = ("coach", "is_available", "last_assigned_at")
    readonly_fields = ("is_available", "last_assigned_at")
    verbose_name_plural = "coaches (new requests go to each in turn)"

    @admin.display(description="takes requests", boolean=True)
    def is_available(self, entry: ProgramCoach) -> bool | None:
        return may_own_leads(entry.coach) if entry.coach_id else None


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = ("name", "is_active", "position", "lead_coach", "coach_names")
    list_editable = ("is_active", "position")
    list_select_related = ("lead_coach",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
    inlines = (ProgramCoachInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("coaches")

    @admin.display(description="coaches")
    def coach_names(self, program: Program) -> str:
        return ", ".join(user_label(coach) for coach in program.coaches.all()) or "none"


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Publishing new wording means adding a version: the wording people agreed to never changes."""

    list_display = ("version", "published_at", "short_text")
    ordering = ("-version",)

    def get_readonly_fields(self, request, obj=None):
        return ("version", "text") if obj else ()

    @admin.display(description="wording")
    def short_text(self, obj: ConsentText) -> str:
        return obj.text[:120]


class LeadNoteInline(admin.TabularInline):
    model = LeadNote
    extra = 1
    fields = ("kind", "text", "author", "created_at")
    readonly_fields = ("author", "created_at")
    verbose_name_plural = "notes"

    def has_change_permission(self, request, obj=None):
        return False  # notes are kept as written; add a new one instead

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def request_source(submission: Submission) -> str:
    """Where a request was sent from: the article (or page) and the campaigns of its visit."""
    first = " / ".join(filter(None, (submission.utm_source, submission.utm_campaign)))
    last = " / ".join(filter(None, (submission.last_utm_source, submission.last_utm_campaign)))
    return format_html(
        "{}{}{}",
        submission.article.title if submission.article_id else submission.page or "-",
        format_html('<span class="leads-quiet">first touch: {}</span>', first) if first else "",
        format_html('<span class="leads-quiet">last touch: {}</span>', last) if last else "",
    )


def request_deliveries(submission: Submission) -> str:
    return format_html(
        "confirmation {}<br>notification {}<br>webhook {}",
        submission.get_confirmation_status_display().lower(),
        submission.get_notification_status_display().lower(),
        submission.get_webhook_status_display().lower(),
    )


class SubmissionColumnsMixin:
    """Where a request was sent from and what became of its e-mails and webhook."""

    @admin.display(description="sent from")
    def source(self, submission: Submission) -> str:
        return request_source(submission)

    @admin.display(description="e-mails and webhook")
    def deliveries(self, submission: Submission) -> str:
        return request_deliveries(submission)


class SubmissionInline(SubmissionColumnsMixin, ReadOnlyMixin, admin.TabularInline):
    model = Submission
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("created_at", "program", "source", "message", "deliveries")
    readonly_fields = fields
    verbose_name_plural = "requests"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program", "article")


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = LeadStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "changed_by")
    readonly_fields = fields
    verbose_name_plural = "status history"


class ConsentRecordInline(ReadOnlyMixin, admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ("recorded_at", "kind", "consent_text", "wording", "recorded_by")
    readonly_fields = fields
    verbose_name_plural = "consent ledger"


class SourceArticleFilter(admin.SimpleListFilter):
    title = "source article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        return Article.objects.filter(
            pk__in=Submission.objects.exclude(article=None).values("article")
        ).values_list("pk", "title")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(submissions__article=self.value()).distinct()
        return queryset


class UtmSourceFilter(admin.SimpleListFilter):
    title = "UTM source"
    parameter_name = "utm_source"

    def lookups(self, request, model_admin):
        sources = (
            Submission.objects.exclude(utm_source="")
            .order_by("utm_source")
            .values_list("utm_source", flat=True)
            .distinct()
        )
        return [(source, source) for source in sources]

    def queryset(self, request, queryset):
        if self.value():
            value = self.value()
            return queryset.filter(
                Q(submissions__utm_source=value) | Q(submissions__last_utm_source=value)
            ).distinct()
        return queryset


class OwnerFilter(admin.SimpleListFilter):
    """Unassigned requests first, then the signed-in coach's own, then each coach's."""

    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        owners = lead_owners() | get_user_model().objects.filter(
            pk__in=Lead.objects.exclude(owner=None).values("owner")
        )
        return [
            ("none", "Unassigned"),
            ("me", "Mine"),
            *(
                (str(user.pk), user_label(user))
                for user in owners.distinct().order_by("first_name", "last_name", "username")
            ),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(owner=None)
        if value == "me":
            return queryset.filter(owner=request.user)
        if value and value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset


class PossibleDuplicateFilter(admin.SimpleListFilter):
    title = "possible duplicates"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Same phone or name as another lead")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_possible_duplicate=True)
        return queryset


def _status_action(status: Lead.Status):
    def action(modeladmin, request, queryset):
        for lead in queryset:
            lead_status_set(lead=lead, status=status, changed_by=request.user)
        modeladmin.message_user(request, f"Set {queryset.count()} lead(s) to {status.label}.")

    action.__name__ = f"set_status_{status.value}"
    return admin.action(description=f"Set status: {status.label}", permissions=["change"])(action)


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()


def offer_coaches(field: forms.ModelChoiceField, current) -> None:
    """A coach field offers the active coaches and always its current value (marked when not a
    coach any more), so that a page saved unchanged never drops it; anyone else is refused."""
    coaches = lead_owners()
    if current is not None:
        coaches = coaches.model.objects.filter(Q(pk__in=coaches) | Q(pk=current.pk))
    field.queryset = coaches.order_by("first_name", "last_name", "username")
    current_is_coach = current is None or may_own_leads(current)

    def label(user) -> str:
        if not current_is_coach and user.pk == current.pk:
            return f"{user_label(user)} (not an active coach)"
        return user_label(user)

    field.label_from_instance = label
    field.error_messages["invalid_choice"] = (
        "Choose a coach from the list: only active staff in the “Enrollment coaches” group "
        "can own leads."
    )
    if not current_is_coach:
        field.help_text = (
            f"{user_label(current)} is not an active coach any more: kept until you choose a coach."
        )


class LeadAdminForm(forms.ModelForm):
    """A lead's page sends back what it showed (hidden initial values) with what the coach typed.

    The save then writes only the fields the coach changed (a field left alone is never written,
    so a change someone else made meanwhile stays), and a field that the coach changed and someone
    else changed too since the page was opened is refused with a message rather than overwritten.
    The owner list is the coaches, with the current owner always shown, also when not one of them.
    """

    CONFLICT_MESSAGE = (
        "Someone else changed this to “{current}” after you opened the page. "
        "Your value is kept below: save again to replace theirs, or change it back."
    )

    class Meta:
        model = Lead
        fields = (
            "first_name",
            "last_name",
            "phone",
            "country",
            "career_stage",
            "program",
            "status",
            "owner",
            "next_follow_up",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
        if "owner" in self.fields:
            offer_coaches(
                self.fields["owner"], self.instance.owner if self.instance.owner_id else None
            )

    def shown_value(self, name: str):
        """The value the page showed for a field, or the stored one when the page sent none."""
        bound = self[name]
        if bound.html_initial_name not in self.data:
            return bound.initial
        raw = self.data.get(bound.html_initial_name)
        try:
            return bound.field.to_python(raw)
        except ValidationError:
            return raw

    @cached_property
    def changed_data(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if field.has_changed(self.shown_value(name), self[name].data)
        ]

    def _same(self, name: str, first, second) -> bool:
        field = self.fields[name]

        def plain(value) -> str:
            value = field.prepare_value(value)
            return "" if value in field.empty_values else str(value)

        return plain(first) == plain(second)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        data = None
        for name in self.changed_data:
            bound = self[name]
            stored = bound.initial  # read from the database by this request
            if self._same(name, self.shown_value(name), stored):
                continue  # nobody else changed it
            if name in cleaned and self._same(name, cleaned[name], stored):
                continue  # they changed it to what this coach wants too
            self.add_error(name, self.CONFLICT_MESSAGE.format(current=self._display(name)))
            # The page shown again carries the stored value as what it showed: saving again is
            # then a decision taken knowing the other change.
            data = data or self.data.copy()
            data[bound.html_initial_name] = "" if stored is None else str(stored)
        if data is not None:
            self.data = data
        return cleaned

    def _display(self, name: str) -> str:
        lead = self.instance
        if name == "owner":
            return user_label(lead.owner) if lead.owner_id else "nobody"
        display = getattr(lead, f"get_{name}_display", None)
        value = display() if display else getattr(lead, name)
        return formats.localize(value) if value not in (None, "") else "-"


@admin.register(Lead)
class LeadAdmin(CoachOnlyMixin, admin.ModelAdmin):
    class Media:
        css = {"all": ("leads/admin.css",)}

    form = LeadAdminForm
    list_display = (
        "lead",
        "program",
        "status_and_follow_up",
        "owner_or_unassigned",
        "speed_to_lead",
        "last_request",
    )
    list_display_links = None  # the lead's cell links to its page

    list_filter = (
        "status",
        "program",
        OwnerFilter,
        ("created_at", admin.DateFieldListFilter),
        SourceArticleFilter,
        UtmSourceFilter,
        PossibleDuplicateFilter,
    )
    search_fields = ("first_name", "last_name", "email", "phone")
    list_select_related = ("program", "owner")
    date_hierarchy = "created_at"
    readonly_fields = (
        "email",
        "created_at",
        "last_submitted_at",
        "first_contacted_at",
        "speed_to_lead",
        "escalated_at",
        "closed_at",
        "possible_duplicates",
    )
    fieldsets = (
        (
            "Contact",
            {
                "fields": (
                    ("first_name", "last_name"),
                    "email",
                    "phone",
                    "country",
                    "career_stage",
                    "program",
                )
            },
        ),
        ("Pipeline", {"fields": ("status", "owner", "next_follow_up")}),
        (
            "Speed to lead",
            {
                "fields": (
                    "created_at",
                    "last_submitted_at",
                    "first_contacted_at",
                    "speed_to_lead",
                    "escalated_at",
                )
            },
        ),
        ("Possible duplicates", {"fields": ("possible_duplicates",)}),
    )
    inlines = (LeadNoteInline, SubmissionInline, StatusChangeInline, ConsentRecordInline)
    actions = [
        "assign_to_me",
        *[_status_action(status) for status in Lead.Status],
        "export_csv",
        "record_consent_withdrawal",
    ]

    def get_queryset(self, request):
        over_target_since = timezone.now() - ContactTarget.current().delay
        return (
            super()
            .get_queryset(request)
            .with_duplicate_flag()
            .annotate(
                is_over_target=ExpressionWrapper(
                    Q(awaiting_contact_since__lte=over_target_since), output_field=BooleanField()
                )
            )
        )

    def save_model(self, request, obj: Lead, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        lead_edit(lead=obj, changes=changes, changed_by=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, LeadNote) and instance.pk is None:
                # Through the service: a call, e-mail, message or meeting is a recorded contact.
                lead_note_add(
                    lead=form.instance, author=request.user, text=instance.text, kind=instance.kind
                )
            else:
                instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    @admin.display(description="first contact", ordering="awaiting_contact_since")
    def speed_to_lead(self, lead: Lead) -> str:
        """How long the first contact took, or how long the lead waits (flagged over target)."""
        elapsed = lead.time_to_first_contact
        if elapsed is not None:
            return f"after {duration_hours(elapsed)}"
        if lead.awaiting_contact_since is None:
            return "not contacted"
        waited = duration_hours(timezone.now() - lead.awaiting_contact_since)
        if getattr(lead, "is_over_target", False):
            return format_html(
                '<strong class="leads-overdue-label">over target</strong> {}', waited
            )
        return f"waiting {waited}"

    @admin.display(description="owner", ordering="owner__username")
    def owner_or_unassigned(self, lead: Lead) -> str:
        if lead.owner_id is None:
            return format_html('<strong class="leads-unassigned">{}</strong>', "Unassigned")
        return user_label(lead.owner)

    @admin.display(description="status", ordering="status")
    def status_and_follow_up(self, lead: Lead) -> str:
        if lead.next_follow_up is None:
            return lead.get_status_display()
        return format_html(
            '{}<span class="leads-quiet">follow-up {}</span>',
            lead.get_status_display(),
            formats.date_format(lead.next_follow_up, "M j"),
        )

    @admin.display(description="last request", ordering="last_submitted_at")
    def last_request(self, lead: Lead) -> str:
        shown = timezone.localtime(lead.last_submitted_at)
        return format_html(
            '<time datetime="{}">{}</time>',
            lead.last_submitted_at.isoformat(),
            formats.date_format(shown, "M j, H:i"),
        )

    @admin.display(description="lead", ordering="last_name")
    def lead(self, lead: Lead) -> str:
        """Name (linked to the lead's page), e-mail and, when there is one, the duplicate flag."""
        return format_html(
            '<a href="{}">{}</a><span class="leads-quiet">{}</span>{}',
            lead.get_admin_url(),
            lead.full_name,
            lead.email,
            format_html('<span class="leads-flag">{}</span>', "possible duplicate")
            if getattr(lead, "has_possible_duplicate", False)
            else "",
        )

    @admin.display(description="possible duplicates")
    def possible_duplicates(self, lead: Lead) -> str:
        if not lead.pk:
            return "-"
        others = list(lead.possible_duplicates()[:10])
        if not others:
            return "None found."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({}{})</li>',
                (
                    (
                        other.get_admin_url(),
                        other.full_name,
                        other.email,
                        ", same phone"
                        if lead.phone and other.phone == lead.phone
                        else ", same name",
                    )
                    for other in others
                ),
            ),
        )

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        if not may_own_leads(request.user):
            self.message_user(
                request,
                "Nothing assigned: only active staff in the “Enrollment coaches” group can own "
                "leads, and you are not in it. Ask an administrator to add you.",
                messages.ERROR,
            )
            return
        for lead in queryset:
            lead_assign(lead=lead, owner=request.user, assigned_by=request.user)
        self.message_user(request, f"{queryset.count()} lead(s) assigned to you.")

    @admin.action(description="Record consent withdrawal", permissions=["change"])
    def record_consent_withdrawal(self, request, queryset):
        for lead in queryset:
            lead_consent_withdraw(lead=lead, recorded_by=request.user)
        self.message_user(
            request, f"Withdrawal recorded for {queryset.count()} lead(s).", messages.WARNING
        )

    @admin.action(description="Export to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        """Every field a coach or a CRM import needs, one row per lead (leads/exports.py)."""
        response = StreamingHttpResponse(
            exports.csv_lines(exports.export_queryset(queryset).iterator(chunk_size=500)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="leads-{timezone.now():%Y-%m-%dT%H%MZ}.csv"'
        )
        return response

    # Extra pages: the follow-up queue and the content-attribution report.

    def get_urls(self):
        extra = [
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="leads_lead_queue",
            ),
            path(
                "attribution/",
                self.admin_site.admin_view(self.attribution_view),
                name="leads_lead_attribution",
            ),
        ]
        return extra + super().get_urls()

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        target = ContactTarget.current()
        today = timezone.localdate(now)
        rows = []
        for lead in Lead.objects.follow_up_queue(now=now).select_related("program", "owner"):
            waits_since = lead.awaiting_contact_since
            rows.append(
                {
                    "lead": lead,
                    "waiting": now - (waits_since or lead.last_submitted_at),
                    "over_target": waits_since is not None and now - waits_since > target.delay,
                    "follow_up_overdue": lead.next_follow_up is not None
                    and lead.next_follow_up < today,
                }
            )
        speed = reports.speed_to_lead(target=target.delay, now=now)
        context = {
            **self.admin_site.each_context(request),
            "title": "Follow-up queue",
            "opts": self.model._meta,
            "rows": rows,
            "target": target,
            "can_change_target": request.user.has_perm("leads.change_contacttarget"),
            "speed": speed,
            "speed_tables": [("Per coach", speed.by_coach), ("Per program", speed.by_program)],
            "changelist_url": reverse("admin:leads_lead_changelist"),
        }
        return TemplateResponse(request, "admin/leads/lead/queue.html", context)

    def attribution_view(self, request: HttpRequest) -> HttpResponse:
        if not can_see_attribution(request.user):
            raise PermissionDenied
        form = reports.DateRangeForm(request.GET or None)
        start, end = form.date_range()
        if not form.is_bound:
            form = reports.DateRangeForm(initial={"start": start, "end": end})
        report = reports.attribution_report(start=start, end=end)
        context = {
            **self.admin_site.each_context(request),
            "title": "Content attribution",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "weekly_chart": reports.bar_chart(report.weekly, title="Requests per week"),
            "conversion_chart": reports.horizontal_bar_chart(
                [(row.chart_label, row.conversion_percent) for row in report.top_by_conversion],
                unit="%",
            ),
        }
        return TemplateResponse(request, "admin/leads/lead/attribution.html", context)


@admin.register(Submission)
class SubmissionAdmin(SubmissionColumnsMixin, CoachOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "lead", "program", "created_at", "source", "deliveries")
    list_filter = ("confirmation_status", "notification_status", "webhook_status", "program")
    list_select_related = ("lead", "program", "article")
    search_fields = ("first_name", "last_name", "email", "phone")
    date_hierarchy = "created_at"

    class Media:
        css = {"all": ("leads/admin.css",)}

    class WebhookDeliveryInline(ReadOnlyMixin, admin.TabularInline):
        model = WebhookDelivery
        extra = 0
        can_delete = False
        fields = ("attempt", "attempted_at", "url", "status_code", "succeeded", "error")
        readonly_fields = fields

    inlines = (WebhookDeliveryInline,)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CoachOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("submission", "attempt", "attempted_at", "status_code", "succeeded", "error")
    list_filter = ("succeeded",)
    list_select_related = ("submission",)
