"""Which shared pages show an article's discussion (careers_site.page_cache): its own page (the
threads and the count) and the cards that show its count, all under `comments-<article id>`."""

from collections.abc import Iterable

from .models import Comment


def discussion_keys(article_ids: Iterable[int]) -> set[str]:
    return {f"comments-{article_id}" for article_id in article_ids}


def keys_changed_by(comment: Comment) -> set[str]:
    """An approved comment changes its article's page and the cards that show its count."""
    return discussion_keys([comment.article_id])
