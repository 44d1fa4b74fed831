from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join

from .models import Comment, ModerationTerm, Notification
from .services import comments_moderate


def _comments_label() -> str:
    try:
        pending = Comment.objects.pending().count()
    except Exception:  # e.g. before the table exists
        return "Comments"
    return f"Comments ({pending} awaiting moderation)" if pending else "Comments"


# The admin index shows the queue's size next to "Comments". Set on the live options only (not in
# Meta), so migrations never see it.
Comment._meta.verbose_name_plural = lazy(_comments_label, str)()


def _moderation_action(status: str, description: str):
    def action(modeladmin, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        changed = comments_moderate(
            comments=queryset.select_related("article", "parent"),
            status=status,
            moderator=request.user,
        )
        modeladmin.message_user(
            request,
            f"{changed} comment(s) changed to “{Comment.Status(status).label}”.",
            messages.SUCCESS,
        )

    action.__name__ = f"mark_{status}"
    action.short_description = description
    action.allowed_permissions = ("change",)
    return action


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "status_label",
        "article_title",
        "author_name",
        "author_email",
        "excerpt",
        "reasons",
        "created_at",
        "view_on_site_link",
    )
    list_display_links = ("excerpt",)
    list_filter = ("status", ("article", admin.RelatedOnlyFieldListFilter))
    search_fields = ("author_name", "author_email", "body", "=client_hash")
    date_hierarchy = "created_at"
    list_select_related = ("article",)
    list_per_page = 50
    ordering = ("-created_at", "-pk")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = [
        _moderation_action(Comment.Status.APPROVED, "Approve"),
        _moderation_action(Comment.Status.PENDING, "Unapprove"),
        _moderation_action(Comment.Status.SPAM, "Mark as spam"),
        _moderation_action(Comment.Status.TRASH, "Move to trash"),
    ]
    fields = (
        "status",
        "article",
        "parent",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "reasons",
        "notify_replies",
        "created_at",
        "same_client",
    )
    readonly_fields = (
        "same_client",
        "article",
        "parent",
        "author_email",
        "reasons",
        "notify_replies",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers, through the site's form

    @admin.display(description="status", ordering="status")
    def status_label(self, comment: Comment) -> str:
        return format_html(
            '<span class="comment-status comment-status-{}">{}</span>',
            comment.status,
            comment.get_status_display(),
        )

    @admin.display(description="article", ordering="article__title")
    def article_title(self, comment: Comment) -> str:
        title = comment.article.title
        return title if len(title) <= 40 else title[:39] + "…"

    @admin.display(description="why")
    def reasons(self, comment: Comment) -> str:
        return format_html_join(
            "", "<div>{}</div>", ((reason,) for reason in comment.moderation_reasons)
        )

    @admin.display(description="sender")
    def same_client(self, comment: Comment) -> str:
        """Abuse control without an IP: the keyed hash finds the same sender's other comments."""
        if not comment.client_hash:
            return "Unknown (older than 30 days, or erased)"
        url = reverse("admin:comments_comment_changelist")
        return format_html(
            '<a href="{}?q={}">Comments from the same address</a>', url, comment.client_hash
        )

    @admin.display(description="on the site")
    def view_on_site_link(self, comment: Comment) -> str:
        return format_html('<a href="{}">View</a>', comment.get_absolute_url())

    def save_model(self, request, obj: Comment, form, change: bool) -> None:
        new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            comments_moderate(comments=[obj], status=new_status, moderator=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(ModerationTerm)
class ModerationTermAdmin(admin.ModelAdmin):
    list_display = ("term", "action", "created_at")
    list_filter = ("action",)
    search_fields = ("term",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient",)
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
