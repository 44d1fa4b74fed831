from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from .models import Comment, ModerationTerm, Notification
from .selectors import comment_thread
from .services import comment_reply_as_site, comments_moderate

# What a moderator may do from a comment's page or its row in the list, and the buttons' words.
MODERATION_BUTTONS = {
    Comment.Status.APPROVED: "Approve",
    Comment.Status.PENDING: "Unapprove",
    Comment.Status.SPAM: "Spam",
    Comment.Status.TRASH: "Trash",
}


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
    list_display = ("status_and_reasons", "author", "comment", "article_title", "submitted")
    list_display_links = None  # the comment cell links to its page, above the row's buttons
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

    class Media:
        css = {"all": ("comments/admin.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        # A comment is titled by its article's title (breadcrumbs, messages, history).
        return super().get_queryset(request).select_related("article")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers, through the site's form

    def app_list_note(self, request: HttpRequest) -> str:
        """The queue's size beside "Comments" on the admin index and in the sidebar."""
        if not self.has_view_permission(request):
            return ""
        pending = Comment.objects.pending().count()
        return f"{pending} awaiting moderation" if pending else ""

    @admin.display(description="comment")
    def comment(self, comment: Comment, controls: str = "") -> str:
        """The text, linked to the comment's page, above the row's buttons."""
        return format_html(
            '<a href="{}" class="comment-excerpt">{}</a>{}',
            self._url("change", comment),
            comment.excerpt,
            controls or format_html('<a href="{}">View</a>', comment.get_absolute_url()),
        )

    def get_list_display(self, request: HttpRequest):
        if not self.has_change_permission(request):
            return self.list_display

        @admin.display(description="comment")
        def comment_with_buttons(comment: Comment) -> str:
            return self.comment(comment, self.moderation_controls(request, comment))

        return [comment_with_buttons if name == "comment" else name for name in self.list_display]

    @admin.display(description="status", ordering="status")
    def status_and_reasons(self, comment: Comment) -> str:
        return format_html(
            '<span class="comment-status comment-status-{}">{}</span>{}',
            comment.status,
            comment.get_status_display(),
            self.reasons(comment),
        )

    @admin.display(description="author", ordering="author_name")
    def author(self, comment: Comment) -> str:
        if not comment.author_email:
            return comment.author_name
        return format_html(
            '{}<span class="comment-email">{}</span>', comment.author_name, comment.author_email
        )

    @admin.display(description="submitted", ordering="created_at")
    def submitted(self, comment: Comment) -> str:
        return format_html(
            '<time datetime="{}">{}</time>',
            comment.created_at.isoformat(),
            formats.date_format(timezone.localtime(comment.created_at), "M j, Y H:i"),
        )

    @admin.display(description="in response to", ordering="article__title")
    def article_title(self, comment: Comment) -> str:
        title = comment.article.title
        return title if len(title) <= 60 else title[:59] + "…"

    @admin.display(description="why")
    def reasons(self, comment: Comment) -> str:
        return format_html_join(
            "",
            '<span class="comment-reason">{}</span>',
            ((reason,) for reason in comment.moderation_reasons),
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

    def moderation_controls(self, request: HttpRequest, comment: Comment) -> str:
        """A row's buttons. They sit inside the list's own form (which holds the CSRF token) and
        post to the comment's moderation address (`formaction`): no nested form, no script."""
        target = f"{self._url('moderate', comment)}?{urlencode({'next': request.get_full_path()})}"
        buttons = format_html_join(
            "",
            '<button type="submit" class="button comment-button comment-button-{}" '
            'formaction="{}" name="status" value="{}" aria-label="{} ({})">{}</button>',
            (
                (status, target, status, label, comment, label)
                for status, label in self.moderation_choices(comment)
            ),
        )
        reply = (
            format_html('<a href="{}">Reply</a>', self._url("reply", comment))
            if comment.status not in (Comment.Status.SPAM, Comment.Status.TRASH)
            else ""
        )
        return format_html(
            '<div class="comment-row-actions">{}{}<a href="{}">View</a></div>',
            buttons,
            reply,
            comment.get_absolute_url(),
        )

    @staticmethod
    def moderation_choices(comment: Comment) -> list[tuple[str, str]]:
        """Approve and Spam for a held comment, Unapprove and Spam for an approved one, Approve
        for spam and trash (back to the site): the two a moderator reaches for."""
        shown = {
            Comment.Status.PENDING: (Comment.Status.APPROVED, Comment.Status.SPAM),
            Comment.Status.APPROVED: (Comment.Status.PENDING, Comment.Status.SPAM),
            Comment.Status.SPAM: (Comment.Status.APPROVED, Comment.Status.TRASH),
            Comment.Status.TRASH: (Comment.Status.APPROVED,),
        }[comment.status]
        return [(status, MODERATION_BUTTONS[status]) for status in shown]

    def _url(self, name: str, comment: Comment) -> str:
        return reverse(f"admin:comments_comment_{name}", args=[comment.pk])

    def save_model(self, request, obj: Comment, form, change: bool) -> None:
        new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            comments_moderate(comments=[obj], status=new_status, moderator=request.user)
        else:
            super().save_model(request, obj, form, change)

    # A comment's page: moderation buttons, the comment in its thread, a reply as the site.

    def get_urls(self):
        return [
            path(
                "<int:pk>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="comments_comment_moderate",
            ),
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="comments_comment_reply",
            ),
            *super().get_urls(),
        ]

    def _comment_to_change(self, request: HttpRequest, pk: int) -> Comment:
        comment = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        return comment

    def _next_url(self, request: HttpRequest, comment: Comment) -> str:
        wanted = request.GET.get("next") or request.POST.get("next") or ""
        admin_root = reverse("admin:index")
        if wanted.startswith(admin_root) and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return wanted
        return self._url("change", comment)

    def moderate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._moderate)(request, pk)

    def _moderate(self, request: HttpRequest, pk: int) -> HttpResponse:
        comment = self._comment_to_change(request, pk)
        status = request.POST.get("status", "")
        if status not in MODERATION_BUTTONS:
            self.message_user(request, "Choose Approve, Unapprove, Spam or Trash.", messages.ERROR)
        elif comments_moderate(comments=[comment], status=status, moderator=request.user):
            self.log_change(request, comment, f"Changed status to {Comment.Status(status).label}.")
            self.message_user(
                request,
                f"The comment by {comment.author_name} is now “{Comment.Status(status).label}”.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._next_url(request, comment))

    def reply_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        comment = self._comment_to_change(request, pk)
        body, error = "", ""
        if request.method == "POST":
            body = request.POST.get("body", "")
            try:
                reply = comment_reply_as_site(parent=comment, body=body, moderator=request.user)
            except ValidationError as invalid:
                error = " ".join(invalid.message_dict.get("body", invalid.messages))
            else:
                self.log_addition(request, reply, "Replied as the site.")
                self.message_user(
                    request,
                    format_html(
                        'Your reply is on the site. <a href="{}">View it</a>.',
                        reply.get_absolute_url(),
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._url("change", comment))
        context = {
            **self.admin_site.each_context(request),
            **self.desk_context(request, comment),
            "title": f"Reply to {comment}",
            "opts": self.model._meta,
            "original": comment,
            "reply_body": body,
            "reply_error": error,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)

    def desk_context(self, request: HttpRequest, comment: Comment) -> dict:
        """What the comment's page and its reply page show around the form: the thread for
        whoever may read the comment, the buttons and the reply for whoever may moderate it."""
        can_moderate = self.has_change_permission(request, comment)
        return {
            "comment": comment,
            "thread": comment_thread(comment),
            "can_moderate": can_moderate,
            "moderation_choices": self.moderation_choices(comment),
            "can_reply": can_moderate
            and comment.status not in (Comment.Status.SPAM, Comment.Status.TRASH),
            "approves_on_reply": comment.status == Comment.Status.PENDING,
            "site_name": settings.SITE_NAME,
            "moderate_url": self._url("moderate", comment),
            "reply_url": self._url("reply", comment),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        comment = self.get_object(request, object_id)
        if comment is not None and self.has_view_permission(request, comment):
            extra_context.update(self.desk_context(request, comment))
        return super().change_view(request, object_id, form_url, extra_context)


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
