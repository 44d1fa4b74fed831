from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Article, Category


def related_articles(article: Article, *, limit: int = 3) -> QuerySet[Article]:
    """Published articles sharing the most tags with `article`, then its category, newest first."""
    tag_ids = [tag.pk for tag in article.tag_list]
    return (
        Article.objects.published()
        .for_cards()
        .exclude(pk=article.pk)
        .filter(Q(category_id=article.category_id) | Q(tags__in=tag_ids))
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .order_by("-shared_tags", "-published_at", "-pk")[:limit]
    )


def categories_with_counts() -> QuerySet[Category]:
    return Category.objects.annotate(
        article_count=Count(
            "articles",
            filter=Q(articles__in=Article.objects.published().values("pk")),
        )
    ).order_by("position", "name")


def next_publication_at():
    """When the next scheduled article goes live (None if none is scheduled): cached pages that
    list articles must not outlive it."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
