import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article
from careers_site.cache import read_through
from careers_site.page_cache import pages_changed

from . import moderation
from .models import Comment, Discussion, ModerationTerm, Notification
from .page_keys import discussion_keys
from .rendering import joined_threads, render_stored_html
from .selectors import article_discussion

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "Moderators"
MODERATION_TERMS_KEY = "comments:moderation-terms"
# A change to the terms clears the key at once; this bounds how long a copy could outlive a change
# that the cache missed (Redis down while the term was saved).
MODERATION_TERMS_SECONDS = 300
DUPLICATE_MESSAGE = "Duplicate comment detected: it looks as though you’ve already said that."
PARENT_MESSAGE = "The comment you replied to is not available: please reply to another one."
VERDICT_STATUS = {
    moderation.Verdict.SPAM: Comment.Status.SPAM,
    moderation.Verdict.HOLD: Comment.Status.PENDING,
    moderation.Verdict.APPROVE: Comment.Status.APPROVED,
}


def comment_submit(
    *,
    article: Article,
    body: str,
    name: str = "",
    email: str = "",
    url: str = "",
    parent: Comment | None = None,
    notify_replies: bool = False,
    user=None,
    ip_address: str = "",
    honeypot: str = "",
    seconds_to_submit: float | None = None,
    client: str = "",
) -> Comment:
    """Save a reader's comment with the moderation rules' verdict, and schedule its e-mails.

    Raises ValidationError (keyed by field) for a duplicate or an unavailable parent.
    """
    if user is not None and user.is_authenticated and user.is_staff:
        name = user.get_full_name() or user.get_username()
        email = user.email
    else:
        user = None
    email = email.strip()
    body = body.strip()
    parent = _reply_target(article=article, parent=parent)

    terms = moderation_terms()
    disallowed = [term for action, term in terms if action == ModerationTerm.Action.DISALLOW]
    held = [term for action, term in terms if action == ModerationTerm.Action.HOLD]
    is_duplicate, has_approved_comment = _author_history(email=email, article=article, body=body)
    decision = moderation.decide(
        moderation.Submission(
            name=name,
            email=email,
            url=url,
            body=body,
            ip_address=ip_address,
            honeypot=honeypot,
            seconds_to_submit=seconds_to_submit,
        ),
        moderation.Context(
            disallowed_terms=disallowed,
            hold_terms=held,
            is_duplicate=is_duplicate,
            is_moderator=user is not None and user.has_perm("comments.change_comment"),
            has_approved_comment=has_approved_comment,
            max_links=settings.COMMENTS_MAX_LINKS,
            min_seconds=settings.COMMENTS_MIN_SECONDS_TO_SUBMIT,
            approve_known_authors=settings.COMMENTS_APPROVE_KNOWN_AUTHORS,
        ),
    )
    if decision.verdict == moderation.Verdict.DUPLICATE:
        raise ValidationError({"body": DUPLICATE_MESSAGE}, code="duplicate")

    comment = Comment(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 1,
        user=user,
        author_name=name,
        author_email=email,
        author_url=url,
        body=body,
        status=VERDICT_STATUS[decision.verdict],
        moderation_reasons=decision.reasons,
        notify_replies=notify_replies and bool(email),
        client_hash=client,
    )
    # The fields as a reader typed them; not the article and parent, which were loaded above, nor
    # the depth constraints, which the code above keeps and the database enforces (each would be
    # one more query on every comment).
    comment.full_clean(exclude=["article", "parent", "user"], validate_constraints=False)
    with transaction.atomic():
        comment.save()
        if comment.status == Comment.Status.PENDING:
            _notify_moderators(comment)
        elif comment.status == Comment.Status.APPROVED:
            _notify_approved(comment)
    return comment


def moderation_terms() -> list[tuple[str, str]]:
    """The staff's list of (action, term), kept in the cache until it changes (receivers.py)."""
    return read_through(
        MODERATION_TERMS_KEY,
        MODERATION_TERMS_SECONDS,
        lambda: list(ModerationTerm.objects.values_list("action", "term")),
    )


def _author_history(*, email: str, article: Article, body: str) -> tuple[bool, bool]:
    """Whether this address already sent this text under this article, and whether it has an
    approved comment: one query through the index on UPPER(author_email)."""
    if not email:
        return False, False
    history = Comment.objects.by_email(email).aggregate(
        same_text=Count("pk", filter=Q(article=article, body=body)),
        approved=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
    )
    return history["same_text"] > 0, history["approved"] > 0


def _reply_target(*, article: Article, parent: Comment | None) -> Comment | None:
    """The comment a reply attaches to: a reply below the deepest level joins that level."""
    if parent is None:
        return None
    if parent.article_id != article.pk or parent.status != Comment.Status.APPROVED:
        raise ValidationError({"parent": PARENT_MESSAGE}, code="invalid_parent")
    while parent.depth >= settings.COMMENTS_MAX_DEPTH and parent.parent_id:
        parent = parent.parent
    return parent


def comments_moderate(*, comments: Iterable[Comment], status: str, moderator=None) -> int:
    """Set the status of comments (admin actions); newly approved ones send their e-mails."""
    changed = 0
    with transaction.atomic():
        for comment in comments:
            if comment.status == status:
                continue
            comment.status = status
            reason = f"{Comment.Status(status).label} by {moderator or 'a moderator'}."
            comment.moderation_reasons = [*comment.moderation_reasons, reason]
            comment.save(update_fields=["status", "moderation_reasons", "updated_at"])
            changed += 1
            if status == Comment.Status.APPROVED:
                _notify_approved(comment)
    return changed


REPLY_EMPTY_MESSAGE = "Write the reply first."
REPLY_TARGET_MESSAGE = "Spam and trashed comments get no reply: approve the comment first."


def comment_reply_as_site(*, parent: Comment, body: str, moderator) -> Comment:
    """A moderator's answer under the site's name, approved at once.

    Replying to a comment that awaits moderation approves it first (WordPress's "Approve and
    Reply"): a reply under a hidden comment would stand alone. Spam and trash are refused.
    Raises ValidationError (keyed by field) for an empty text or such a comment.
    """
    body = body.strip()
    if not body:
        raise ValidationError({"body": REPLY_EMPTY_MESSAGE}, code="required")
    if parent.status in (Comment.Status.SPAM, Comment.Status.TRASH):
        raise ValidationError({"body": REPLY_TARGET_MESSAGE}, code="invalid_parent")
    with transaction.atomic():
        if parent.status != Comment.Status.APPROVED:
            comments_moderate(
                comments=[parent], status=Comment.Status.APPROVED, moderator=moderator
            )
        target = _reply_target(article=parent.article, parent=parent)
        reply = Comment(
            article=parent.article,
            parent=target,
            depth=target.depth + 1,
            user=moderator,
            author_name=settings.SITE_NAME,
            author_url=settings.SITE_URL,
            body=body,
            status=Comment.Status.APPROVED,
            moderation_reasons=[f"Reply from the site by {moderator}."],
        )
        reply.full_clean(exclude=["article", "parent", "user"], validate_constraints=False)
        reply.save()
        _notify_approved(reply)
    return reply


def _notify_approved(comment: Comment) -> None:
    """Once approved: tell the writer if they asked (once ever), and the parent's writer."""
    if comment.notify_replies and comment.author_email:
        _notify(Notification.Kind.APPROVED, comment, [comment.author_email])
    _notify_parent_author(comment)


def _notify_moderators(comment: Comment) -> None:
    User = get_user_model()
    recipients = list(
        User.objects.filter(is_active=True, groups__name=MODERATORS_GROUP)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    author_user = comment.article.author.user
    if author_user is not None and author_user.is_active and author_user.email:
        recipients.append(author_user.email)
    _notify(Notification.Kind.MODERATION, comment, recipients)


def _notify_parent_author(comment: Comment) -> None:
    parent = comment.parent
    if parent is None or not (parent.notify_replies and parent.is_approved):
        return
    if not parent.author_email or parent.author_email.lower() == comment.author_email.lower():
        return
    _notify(Notification.Kind.REPLY, comment, [parent.author_email])


def _notify(kind: str, comment: Comment, recipients: Iterable[str]) -> list[Notification]:
    """Record the e-mails to send, then send them from a task once the transaction commits."""
    now = timezone.now()
    created = []
    for recipient in dict.fromkeys(address.strip().lower() for address in recipients):
        notification, is_new = Notification.objects.get_or_create(
            kind=kind, comment=comment, recipient=recipient, defaults={"created_at": now}
        )
        if not is_new:
            continue
        if kind != Notification.Kind.MODERATION and _recently_notified(
            recipient, now, notification
        ):
            # The reader asked for these, but anyone can type anyone's address: one an hour.
            notification.status = Notification.Status.SKIPPED
            notification.last_error = "Another e-mail went to this address within the hour."
            notification.save(update_fields=["status", "last_error"])
            continue
        created.append(notification)
        transaction.on_commit(partial(_enqueue, notification.pk), robust=True)
    return created


def _recently_notified(recipient: str, now: datetime, current: Notification) -> bool:
    since = now - timedelta(seconds=settings.COMMENTS_NOTIFY_INTERVAL_SECONDS)
    return (
        Notification.objects.filter(
            recipient=recipient,
            kind__in=(Notification.Kind.APPROVED, Notification.Kind.REPLY),
            status__in=(Notification.Status.PENDING, Notification.Status.SENT),
            created_at__gte=since,
        )
        .exclude(pk=current.pk)
        .exists()
    )


def _enqueue(notification_id: int) -> None:
    from .tasks import send_comment_notification

    try:
        send_comment_notification.enqueue(notification_id=notification_id)
    except Exception:
        # The notification stays pending: `manage.py send_comment_notifications` sends it later.
        logger.exception("Could not enqueue comment notification %s", notification_id)


def notification_send(*, notification_id: int) -> Notification | None:
    """Send one pending e-mail. A failure is recorded and retried later, never raised."""
    from .emails import build_message

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("comment__article", "comment__parent")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        notification.last_attempt_at = timezone.now()
        try:
            build_message(notification).send(fail_silently=False)
        except Exception as error:
            logger.warning(
                "Comment notification %s failed (attempt %s): %r",
                notification.pk,
                notification.attempts,
                error,
            )
            notification.last_error = repr(error)[:500]
            if notification.attempts >= settings.COMMENTS_NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save()
    return notification


def retry_delay(attempts: int) -> timedelta:
    """Wait 5, 10, 20, 40... minutes between attempts (COMMENTS_NOTIFICATION_RETRY_SECONDS)."""
    return timedelta(
        seconds=settings.COMMENTS_NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    )


def notifications_send_pending(*, now: datetime | None = None, force: bool = False) -> int:
    """Send every pending e-mail whose retry time has come; returns how many went out."""
    now = now or timezone.now()
    sent = 0
    for notification in Notification.objects.filter(status=Notification.Status.PENDING).order_by(
        "created_at"
    ):
        due = notification.last_attempt_at is None or (
            notification.last_attempt_at + retry_delay(notification.attempts) <= now
        )
        if not (due or force):
            continue
        result = notification_send(notification_id=notification.pk)
        if result is not None and result.status == Notification.Status.SENT:
            sent += 1
    return sent


def comment_unsubscribe(*, comment: Comment) -> int:
    """Stop reply e-mails to the address that wrote `comment`, for all its comments."""
    if not comment.author_email:
        return 0
    with transaction.atomic():
        Notification.objects.filter(
            recipient=comment.author_email.lower(),
            status=Notification.Status.PENDING,
            kind__in=(Notification.Kind.APPROVED, Notification.Kind.REPLY),
        ).update(status=Notification.Status.SKIPPED, last_error="Unsubscribed.")
        return Comment.objects.by_email(comment.author_email).update(notify_replies=False)


def client_hashes_forget(*, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(days=settings.COMMENTS_CLIENT_HASH_DAYS)
    return (
        Comment.objects.filter(created_at__lt=cutoff).exclude(client_hash="").update(client_hash="")
    )


def personal_data_export(email: str) -> dict:
    comments = Comment.objects.by_email(email).select_related("article").order_by("created_at")
    notifications = Notification.objects.filter(recipient=email.strip().lower())
    return {
        "comments": [
            {
                "id": comment.pk,
                "article": comment.article.title,
                "url": settings.SITE_URL + comment.get_absolute_url(),
                "reply_to": comment.parent_id,
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_url,
                "text": comment.body,
                "status": comment.status,
                "notify_of_replies": comment.notify_replies,
                "created_at": comment.created_at.isoformat(),
                "client_hash": comment.client_hash,
            }
            for comment in comments
        ],
        "emails_sent": [
            {
                "kind": notification.kind,
                "comment": notification.comment_id,
                "status": notification.status,
                "created_at": notification.created_at.isoformat(),
            }
            for notification in notifications
        ],
    }


def discussion_refresh(*, article_ids: Iterable[int]) -> None:
    """Join again the threads every reader sees of these articles, and drop the pages that show
    them: called whenever a comment they show (or may have shown) changes.

    The article's stored row is locked first, so two comments changing at once are joined one
    after the other, the second seeing the first: neither can overwrite the other with less.
    """
    article_ids = sorted(set(article_ids))
    with transaction.atomic():
        for article_id in article_ids:
            stored, _ = Discussion.objects.select_for_update().get_or_create(article_id=article_id)
            visible = article_discussion(article_id)
            stored.threads_html = joined_threads(visible)
            stored.approved_count = visible.approved_count
            stored.save()
    pages_changed(discussion_keys(article_ids))


def personal_data_erase(email: str) -> int:
    """Anonymise the address's comments (threads and texts stay) and forget e-mails sent to it."""
    with transaction.atomic():
        Notification.objects.filter(recipient=email.strip().lower()).delete()
        comments = list(Comment.objects.by_email(email))
        for comment in comments:
            comment.author_name = "Anonymous"
            comment.author_email = comment.author_url = comment.client_hash = ""
            comment.notify_replies = False
            comment.user = None
            comment.updated_at = timezone.now()
        Comment.objects.bulk_update(
            render_stored_html(comments),
            ["author_name", "author_email", "author_url", "client_hash", "notify_replies", "user",
             "updated_at", "html"],
        )  # fmt: skip
        discussion_refresh(article_ids={comment.article_id for comment in comments})
        return len(comments)
