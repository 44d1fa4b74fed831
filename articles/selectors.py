from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html

from .models import Article, Category, OldSlug, SitePage
from .related import rank_related, stored_ranking
from .site_page_models import PRIVACY_SLUG


def related_articles(article: Article) -> list[Article]:
    """The cards of the articles ranked as related to `article` (articles/related.py), as stored
    when a list they are ranked from last changed; ranked here if they never were."""
    ranked = stored_ranking(article)
    if ranked is None:
        ranked = rank_related(
            article_id=article.pk,
            category_id=article.category_id,
            tag_ids=[tag.pk for tag in article.tag_list],
        )
    cards = Article.objects.published().for_cards().in_bulk(ranked)
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


def privacy_policy_note() -> str:
    """A link to the privacy policy in its current wording (its version's own, lasting address),
    for the forms whose consent and storage the policy describes; empty while there is none."""
    page = SitePage.objects.filter(slug=PRIVACY_SLUG).only("slug", "title", "version").first()
    if page is None:
        return ""
    return format_html(
        '<a href="{}">{}</a> (version {}) says what we keep and why.',
        page.get_version_url(),
        page.title,
        page.version,
    )


def moved_article(old_slug: str | None) -> Article | None:
    """The live article that had this address before its slug changed, if any."""
    if not old_slug:
        return None
    moved = OldSlug.objects.filter(slug=old_slug, article__in=Article.objects.published())
    return Article.objects.filter(pk__in=moved.values("article_id")).only("slug").first()
