from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Article, Category, OldSlug


def related_articles(article: Article, *, limit: int = 3) -> list[Article]:
    """Published articles sharing the most tags with `article`, newest first among equals; then
    the newest of its category. Two small index reads instead of one grouping of every article."""
    tag_ids = [tag.pk for tag in article.tag_list]
    Through = Article.tags.through
    ranked = list(
        Through.objects.filter(
            tag_id__in=tag_ids,
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=timezone.now(),
        )
        .exclude(article_id=article.pk)
        .values("article_id")
        .annotate(shared=Count("tag_id"))
        .order_by("-shared", "-article__published_at", "-article_id")
        .values_list("article_id", flat=True)[:limit]
    )
    if len(ranked) < limit:
        ranked += (
            Article.objects.published()
            .filter(category_id=article.category_id)
            .exclude(pk__in=[article.pk, *ranked])
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[: limit - len(ranked)]
        )
    cards = Article.objects.for_cards().in_bulk(ranked)
    return [cards[pk] for pk in ranked if pk in cards]


def categories_with_counts() -> QuerySet[Category]:
    now = timezone.now()
    published = Q(articles__status=Article.Status.PUBLISHED, articles__published_at__lte=now)
    return Category.objects.annotate(article_count=Count("articles", filter=published)).order_by(
        "position", "name"
    )


def next_publication_at():
    """When the next scheduled article goes live (None if none is scheduled): cached pages that
    list articles must not outlive it."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def moved_article(old_slug: str | None) -> Article | None:
    """The live article that had this address before its slug changed, if any."""
    if not old_slug:
        return None
    moved = OldSlug.objects.filter(slug=old_slug, article__in=Article.objects.published())
    return Article.objects.filter(pk__in=moved.values("article_id")).only("slug").first()
