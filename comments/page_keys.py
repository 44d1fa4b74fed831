"""Which shared pages show an article's discussion (careers_site.page_cache): its own page (the
threads and the count) and the cards that show its count, all under `comments-<article id>`."""

from collections.abc import Iterable


def discussion_keys(article_ids: Iterable[int]) -> set[str]:
    return {f"comments-{article_id}" for article_id in article_ids}
