"""Related articles: those sharing the most tags with an article, newest first among equals, then
the newest of its category. Ranked when a list they are ranked from changes (an article joins or
leaves a category or tag list: the same `list-category-<id>` and `list-tag-<id>` keys that drop
the pages, articles/page_keys.py), once the change commits, and kept in `RelatedList`: an
article's page reads its ranking with the article, in the same query.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .models import Article, RelatedList
from .page_keys import ids_of_lists

LIMIT = 3
# The articles whose lists changed inside `lists_changed_together()`, ranked once at its end.
_together: ContextVar[set[int] | None] = ContextVar("related_lists_together", default=None)


def rank_related(*, article_id: int, category_id: int, tag_ids: Iterable[int]) -> list[int]:
    """Two small index reads instead of one grouping of every article."""
    Through = Article.tags.through
    ranked = list(
        Through.objects.filter(
            tag_id__in=list(tag_ids),
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=timezone.now(),
        )
        .exclude(article_id=article_id)
        .values("article_id")
        .annotate(shared=Count("tag_id"))
        .order_by("-shared", "-article__published_at", "-article_id")
        .values_list("article_id", flat=True)[:LIMIT]
    )
    if len(ranked) < LIMIT:
        ranked += (
            Article.objects.published()
            .filter(category_id=category_id)
            .exclude(pk__in=[article_id, *ranked])
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[: LIMIT - len(ranked)]
        )
    return ranked


def stored_ranking(article: Article) -> list[int] | None:
    """The ranking kept for an article loaded with its `related_list` (None: never ranked)."""
    try:
        return article.related_list.article_ids
    except RelatedList.DoesNotExist:
        return None


def related_lists_refresh(*, article_ids: Iterable[int]) -> None:
    """Rank the related articles of these articles again, from what is committed. Each stored
    ranking is locked first, so two changes at once are ranked one after the other, the
    second seeing the first."""
    article_ids = sorted(set(article_ids))
    articles = Article.objects.filter(pk__in=article_ids).only("pk", "category_id")
    tags = _tag_ids(article_ids)
    with transaction.atomic():
        for article in articles.order_by("pk"):
            stored, _ = RelatedList.objects.select_for_update().get_or_create(article_id=article.pk)
            stored.article_ids = rank_related(
                article_id=article.pk,
                category_id=article.category_id,
                tag_ids=tags.get(article.pk, ()),
            )
            stored.save()


def lists_changed(keys: Iterable[str], *, article_ids: Iterable[int] = ()) -> None:
    """Articles joined or left the category and tag lists among `keys` (and `article_ids`
    changed their own tags or category): once that commits, rank again the related articles of
    every article in those lists, which are ranked from them."""
    category_ids, tag_ids = ids_of_lists(keys, "category"), ids_of_lists(keys, "tag")
    affected = set(article_ids)
    if category_ids or tag_ids:
        affected |= set(
            Article.objects.filter(Q(category_id__in=category_ids) | Q(tags__in=tag_ids))
            .values_list("pk", flat=True)
            .distinct()
        )
    together = _together.get()
    if together is not None:
        together |= affected
    elif affected:
        transaction.on_commit(lambda: related_lists_refresh(article_ids=affected), robust=True)


@contextmanager
def lists_changed_together() -> Iterator[None]:
    """The lists changed inside it are ranked again once, when the transaction around it
    commits: an import of thousands of articles in one category ranks each article once, not
    the whole category again for every article it adds."""
    affected: set[int] = set()
    token = _together.set(affected)
    try:
        yield
    finally:
        _together.reset(token)
    if affected:
        transaction.on_commit(lambda: related_lists_refresh(article_ids=affected), robust=True)


def _tag_ids(article_ids: list[int]) -> dict[int, list[int]]:
    tags: dict[int, list[int]] = {}
    rows = Article.tags.through.objects.filter(article_id__in=article_ids)
    for article_id, tag_id in rows.values_list("article_id", "tag_id"):
        tags.setdefault(article_id, []).append(tag_id)
    return tags
