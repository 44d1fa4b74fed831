from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Article, ArticleView
from .signals import article_view_counted

VIEW_WINDOW = timedelta(hours=24)


def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish now, or at `at` (a future date schedules it). A date already set is kept."""
    article.status = Article.Status.PUBLISHED
    if at is not None:
        article.published_at = at
    elif article.published_at is None:
        article.published_at = timezone.now()
    article.full_clean()
    article.save()
    return article


def article_unpublish(*, article: Article) -> Article:
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


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
