import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

import reversion
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import roles
from .images import build_renditions, delete_renditions
from .models import Article, ArticleDraft, ArticleView, BodyImage, FAQItem, OldSlug
from .revisions import RESTORED_FIELDS, faq_of
from .signals import article_view_counted

logger = logging.getLogger(__name__)

VIEW_WINDOW = timedelta(hours=24)


class Notice:
    """The e-mails of the editorial workflow (articles/emails.py has their text)."""

    SUBMITTED = "submitted"  # to the editors: something waits for review
    SENT_BACK = "sent_back"  # to the writer: the editor's note
    PUBLISHED = "published"  # to the writer: live now, or scheduled


def _check(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"You may not {what} this article.")


@contextmanager
def _revision(*, by, comment: str) -> Iterator[None]:
    """One transaction, kept as one revision of the article (joins the admin's, if open)."""
    with transaction.atomic(), reversion.create_revision():
        if by is not None:
            reversion.set_user(by)
        reversion.set_comment(comment)
        yield


def article_submit_for_review(*, article: Article, by) -> Article:
    """A writer hands a draft to the editors, who are told by e-mail."""
    _check(roles.may_submit(by, article), "submit")
    with _revision(by=by, comment="Submitted for review."):
        article.status = Article.Status.IN_REVIEW
        article.review_note = ""
        article.save(update_fields=["status", "review_note", "updated_at"])
        _notify(Notice.SUBMITTED, article, _editors_addresses(exclude=by))
    return article


def article_send_back(*, article: Article, by, note: str) -> Article:
    """An editor returns an article to its writer as a draft, with a note saying what to change."""
    _check(roles.may_publish(by), "send back")
    note = note.strip()
    if not note:
        raise ValidationError({"review_note": "Tell the writer what to change."})
    with _revision(by=by, comment="Sent back to the writer."):
        article.status = Article.Status.DRAFT
        article.review_note = note
        article.save(update_fields=["status", "review_note", "updated_at"])
        _notify(Notice.SENT_BACK, article, _writer_addresses(article, exclude=by))
    return article


def article_publish(
    *, article: Article, at: datetime | None = None, now: bool = False, by=None
) -> Article:
    """Publish at `at` (a future date schedules it), or `now` whatever date was set; with
    neither, a date already set is kept (else now). `by` is the editor (None: the site itself,
    e.g. seed_demo); the writer is told."""
    if by is not None:
        _check(roles.may_publish(by), "publish")
    with _revision(by=by, comment="Published."):
        article.status = Article.Status.PUBLISHED
        if at is not None:
            article.published_at = at
        elif now or article.published_at is None:
            # To the second, as the form shows it: saving the form again changes no date.
            article.published_at = timezone.now().replace(microsecond=0)
        article.review_note = ""
        article.full_clean()
        article.save()
        reversion.set_comment("Scheduled." if article.is_scheduled else "Published.")
        _notify(Notice.PUBLISHED, article, _writer_addresses(article, exclude=by))
    return article


def article_unpublish(*, article: Article, by=None) -> Article:
    """Back to draft: off the site at once (a scheduled article is no longer scheduled)."""
    if by is not None:
        _check(roles.may_publish(by), "unpublish")
    with _revision(by=by, comment="Unpublished."):
        article.status = Article.Status.DRAFT
        article.save(update_fields=["status", "updated_at"])
    return article


def article_restore(*, article: Article, version, by) -> Article:
    """Bring back the content of an earlier revision (text, image, filing, tags, FAQ), which
    becomes a new revision; where and when the article is published stays as it is."""
    _check(roles.may_edit(by, article), "restore")
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise ValueError("That revision belongs to another object.")
    fields = version.field_dict
    when = timezone.localtime(version.revision.date_created)
    with _revision(by=by, comment=f"Restored the revision of {when:%d %b %Y, %H:%M}."):
        for name in RESTORED_FIELDS:
            if name == "tags" or (name == "author" and not roles.may_publish(by)):
                continue  # tags below; a writer stays the author of their article
            attname = Article._meta.get_field(name).attname
            setattr(article, attname, fields[attname])
        article.full_clean()
        article.save()
        article.tags.set(Article.tags.field.related_model.objects.filter(pk__in=fields["tags"]))
        article.faqs.all().delete()
        for item in faq_of(version):
            FAQItem.objects.create(
                article=article,
                question=item["question"],
                answer=item["answer"],
                position=item["position"],
            )
    return article


def _editors_addresses(*, exclude) -> list[str]:
    editors = get_user_model().objects.with_perm(roles.PUBLISH_PERMISSION, include_superusers=False)
    return list(
        editors.filter(is_staff=True)
        .exclude(email="")
        .exclude(pk=getattr(exclude, "pk", None))
        .values_list("email", flat=True)
    )


def _writer_addresses(article: Article, *, exclude) -> list[str]:
    writer = article.author.user
    if writer is None or not writer.is_active or not writer.email:
        return []
    if exclude is not None and writer.pk == exclude.pk:
        return []  # an editor publishing their own article needs no e-mail about it
    return [writer.email]


def _notify(kind: str, article: Article, recipients: list[str]) -> None:
    if recipients:
        transaction.on_commit(
            partial(_enqueue, kind=kind, article_id=article.pk, recipients=recipients),
            robust=True,
        )


def _enqueue(*, kind: str, article_id: int, recipients: list[str]) -> None:
    from .tasks import send_editorial_notice

    try:
        send_editorial_notice.enqueue(kind=kind, article_id=article_id, recipients=recipients)
    except Exception:
        # The article is saved either way; only the e-mail is missing, and the log says so.
        logger.exception("Could not enqueue the %s e-mail of article %s", kind, article_id)


# The form's text fields an autosaved draft keeps (nothing else is taken from what is sent).
DRAFT_FIELDS = (
    "title", "slug", "dek", "body", "featured_image_alt", "featured_image_caption",
    "featured_image_credit", "seo_title", "meta_description", "review_note",
)  # fmt: skip


def article_draft_keep(*, article: Article, by, values: dict) -> ArticleDraft:
    """Keep what `by` typed in the article's form and has not saved (one draft each)."""
    _check(roles.may_edit(by, article), "edit")
    kept = {name: values[name] for name in DRAFT_FIELDS if isinstance(values.get(name), str)}
    draft, _ = ArticleDraft.objects.update_or_create(
        article=article, user=by, defaults={"values": kept, "saved_at": timezone.now()}
    )
    return draft


def article_draft_forget(*, article: Article, by) -> None:
    ArticleDraft.objects.filter(article=article, user=by).delete()


def article_address_moved(*, article: Article, old_slug: str | None) -> None:
    """After a save: the article's address is its own now (whoever had it before), and the one it
    leaves answers with a permanent redirect to it."""
    with transaction.atomic():
        OldSlug.objects.filter(slug=article.slug).delete()
        if old_slug and old_slug != article.slug:
            OldSlug.objects.update_or_create(slug=old_slug, defaults={"article": article})


def article_view_record(*, article_id: int, visitor: str, now: datetime | None = None) -> bool:
    """Count one view per visitor and article per 24 hours. Returns whether this one counted.

    The per-visitor row is claimed by a unique constraint (or by an UPDATE that only matches a row
    older than the window), so concurrent beacons from one visitor count once; the counter itself
    moves by a single atomic UPDATE.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                ArticleView.objects.create(article_id=article_id, visitor=visitor, counted_at=now)
            counted = True
        except IntegrityError:
            counted = bool(
                ArticleView.objects.filter(
                    article_id=article_id, visitor=visitor, counted_at__lte=now - VIEW_WINDOW
                ).update(counted_at=now)
            )
        if counted:
            Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
            article_view_counted.send(sender=Article, article_id=article_id, at=now)
    return counted


def article_views_prune(*, now: datetime | None = None) -> int:
    """Forget visitor keys older than the counting window; they no longer decide anything."""
    cutoff = (now or timezone.now()) - VIEW_WINDOW
    deleted, _ = ArticleView.objects.filter(counted_at__lte=cutoff).delete()
    return deleted


def body_image_upload(
    *, article: Article, by, image, alt: str, caption: str = "", credit: str = ""
) -> BodyImage:
    """Keep an image (already checked and cleaned of metadata, BodyImageForm) for the body of
    `article` with its renditions. Whatever fails, nothing stays: no row, no file, no rendition."""
    _check(roles.may_edit(by, article), "add images to")
    body_image = BodyImage(article=article, uploaded_by=by, alt=alt, caption=caption, credit=credit)
    try:
        with transaction.atomic():
            body_image.image.save(image.name, image, save=False)
            body_image.renditions = build_renditions(body_image.image)
            body_image.save()
    except BaseException:
        delete_renditions(body_image.renditions)
        if body_image.image.name:
            body_image.image.storage.delete(body_image.image.name)
        raise
    return body_image
