from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def visible_to(self, *, submitted_ids=(), is_moderator: bool = False):
        """What a page shows: approved comments for everyone; held ones (spam included, so bots
        learn nothing) to the browser that wrote them; held ones to moderators."""
        visible = Q(status=Comment.Status.APPROVED)
        if submitted_ids:
            visible |= Q(
                pk__in=list(submitted_ids),
                status__in=(Comment.Status.PENDING, Comment.Status.SPAM),
            )
        if is_moderator:
            visible |= Q(status=Comment.Status.PENDING)
        return self.filter(visible)

    def by_email(self, email: str):
        return self.filter(author_email__iexact=email.strip())


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="1 for a comment on the article, 2 for a reply..."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        help_text="The staff account that wrote it, if any.",
    )
    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField(
        "e-mail", blank=True, help_text="Never shown on the site. Empty once erased."
    )
    author_url = models.URLField("website", max_length=200, blank=True)
    body = models.TextField(help_text="Plain text, shown escaped with its line breaks.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, db_index=True)
    moderation_reasons = models.JSONField(
        "why", default=list, blank=True, help_text="What the spam and moderation rules found."
    )
    notify_replies = models.BooleanField(
        "notify of replies", default=False, help_text="The writer asked for e-mails about replies."
    )
    client_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Keyed hash of the sender's address (never the address); cleared after 30 days.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Made on save (comments/rendering.py): the header and text as every page shows them.
    html = models.TextField(editable=False, default="")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "pk")
        get_latest_by = "created_at"
        indexes = [
            models.Index(fields=("article", "status", "created_at"), name="comment_thread_idx"),
            # by_email() compares without case (UPPER(author_email) = UPPER(...)): an index on
            # the same expression, or every known-author check scans all comments.
            models.Index(Upper("author_email"), name="comment_email_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__gte=1),
                name="comment_depth_positive",
                violation_error_message="A comment's depth starts at 1.",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=1) | Q(parent__isnull=False, depth__gt=1),
                name="comment_depth_matches_parent",
                violation_error_message="Replies sit below level 1, comments on the article at 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on “{self.article.title}”"

    def save(self, *args, **kwargs) -> None:
        from .rendering import comment_html

        self.html = comment_html(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 80 else text[:79] + "…"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def initials(self) -> str:
        from .rendering import initials

        return initials(self.author_name)


class Discussion(models.Model):
    """An article's threads as every reader sees them, joined again whenever one of its comments
    changes (`discussion_refresh`), so that its page reads one row, not a row per comment."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    threads_html = models.TextField(blank=True, editable=False)
    approved_count = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Discussion of article {self.article_id} ({self.approved_count} approved)"


class ModerationTerm(models.Model):
    """A word, e-mail, address fragment or URL that staff list to mark or hold comments."""

    class Action(models.TextChoices):
        DISALLOW = "disallow", _("Disallowed: mark as spam")
        HOLD = "hold", _("Hold for moderation")

    term = models.CharField(
        max_length=200,
        help_text="Matched without regard to case inside the name, e-mail, website, text and "
        "the sender's IP address.",
    )
    action = models.CharField(max_length=10, choices=Action, default=Action.HOLD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("action", "term")
        constraints = [
            models.UniqueConstraint(fields=("term", "action"), name="moderation_term_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.get_action_display()})"


class Notification(models.Model):
    """An e-mail about a comment, kept so that a failing mail server delays it but loses nothing."""

    class Kind(models.TextChoices):
        MODERATION = "moderation", _("Comment to moderate")
        APPROVED = "approved", _("Your comment was approved")
        REPLY = "reply", _("New reply to your comment")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")
        SKIPPED = "skipped", _("Skipped")

    kind = models.CharField(max_length=12, choices=Kind)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.EmailField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "comment", "recipient"), name="notification_once"
            )
        ]
        indexes = [models.Index(fields=("status", "created_at"), name="notification_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.status})"


def comments_open(article: Article, *, now=None) -> bool:
    """Comments are open on an article that allows them, unless older than the configured days."""
    if not article.comments_enabled:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at:
        return article.published_at >= (now or timezone.now()) - timedelta(days=days)
    return True


def admin_change_url(comment: Comment) -> str:
    return reverse("admin:comments_comment_change", args=[comment.pk])
