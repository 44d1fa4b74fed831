"""Which pages show what: the keys a shared page is stored under, and the keys a change drops
(careers_site.page_cache). The same keys purge the CDN.

- `site`: every page (the categories in its header and footer); a category changes.
- `article-<id>`: the article's own page; the article, its tags or its FAQ change.
- `card-<id>`: every page showing the article's card (lists, related articles); a field the
  card shows changes (CARD_FIELDS).
- `author-<id>`: the author's page, their articles' pages and cards; the author changes.
- `tag-<id>`: the tag's page and its articles' pages (their tag links); the tag changes.
- `list-articles`: home (its topic counts too) and every page of /articles/;
  `list-category-<id>`, `list-tag-<id>`, `list-author-<id>`: every page of that list, and the
  pages of the articles in that category or with that tag (their related articles come from
  there). Dropped when an article joins or leaves the list: it is published, goes live,
  is unpublished or deleted, or its date (the order), category, author, tags or featured flag
  change (LISTING_FIELDS).

- `search`: every page of results; any article saved or removed (its text may match now).
- `page-<id>`: a site page (privacy, terms...) and its versions' pages; the page is saved or
  deleted. Its footer link is on every page: `site` too when the link changes.

The comments app adds its own `comments-<id>` (comments/page_keys.py).
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from careers_site.page_cache import SITE_KEY

if TYPE_CHECKING:
    from .models import Article

# What an article's card shows, and what decides the lists it is in and where.
CARD_FIELDS = (
    "title", "slug", "dek", "featured_image", "featured_image_alt", "author_id", "category_id",
    "published_at", "reading_time", "status",
)  # fmt: skip
LISTING_FIELDS = ("status", "published_at", "category_id", "author_id", "is_featured")
ALL_ARTICLES_KEY = "list-articles"
SEARCH_KEY = "search"


def list_key(kind: str, pk) -> str:
    """The key of every page of one list: `kind` is category, tag or author."""
    return f"list-{kind}-{pk}"


def ids_of_lists(keys: Iterable[str], kind: str) -> list[int]:
    """The ids of the `kind` lists among `keys` (`list-tag-3` -> 3)."""
    prefix = list_key(kind, "")
    return [int(key[len(prefix) :]) for key in keys if key.startswith(prefix)]


def card_keys(articles: Iterable["Article"]) -> set[str]:
    keys = set()
    for article in articles:
        keys |= {f"card-{article.pk}", f"author-{article.author_id}"}
    return keys


def article_page_keys(article: "Article") -> set[str]:
    """The article's own page: its text, its author's box, its tags' links, and the lists of its
    category and tags, where its related articles come from (a new article may be one)."""
    tag_ids = [tag.pk for tag in article.tag_list]
    return {
        f"article-{article.pk}",
        f"author-{article.author_id}",
        list_key("category", article.category_id),
        *(f"tag-{tag_id}" for tag_id in tag_ids),
        *(list_key("tag", tag_id) for tag_id in tag_ids),
    }


def _lists_of(article: "Article", *, category_id, author_id) -> set[str]:
    """Every list the article is in (the tags as saved in the database)."""
    tag_ids = article.tags.values_list("pk", flat=True) if article.pk else []
    return {
        ALL_ARTICLES_KEY,
        list_key("category", category_id),
        list_key("author", author_id),
        *(list_key("tag", tag_id) for tag_id in tag_ids),
    }


def state(article: "Article") -> dict:
    """The article's card and listing fields as loaded (deferred ones left out)."""
    return {
        name: article.__dict__[name]
        for name in {*CARD_FIELDS, *LISTING_FIELDS}
        if name in article.__dict__
    }


def keys_changed_by_article(article: "Article", before: dict | None) -> set[str]:
    """An article saved: its page always; its card where a card field changed; the lists it was
    and is in where a listing field changed. `before` is its state as loaded (None: a new
    article, or one not loaded from the database, of which everything counts as changed)."""
    after = state(article)
    changed = set(after) if before is None else {k for k in after if before.get(k) != after[k]}
    keys = {f"article-{article.pk}", SEARCH_KEY}
    if changed & set(CARD_FIELDS):
        keys.add(f"card-{article.pk}")
    if changed & set(LISTING_FIELDS):
        keys |= _lists_of(article, category_id=article.category_id, author_id=article.author_id)
        if before is not None:  # the lists it leaves
            keys |= {
                list_key(kind, before[f"{kind}_id"])
                for kind in ("category", "author")
                if before.get(f"{kind}_id")
            }
    return keys


def keys_changed_by_removal(article: "Article") -> set[str]:
    """An article deleted: its page, its card wherever it is, every list it was in."""
    lists = _lists_of(article, category_id=article.category_id, author_id=article.author_id)
    return {f"article-{article.pk}", f"card-{article.pk}", SEARCH_KEY, *lists}


def keys_changed_by_tagging(*, article_ids: Iterable[int], tag_ids: Iterable[int]) -> set[str]:
    """Tags added to or taken from articles: their pages (tag links) and the tags' lists."""
    return {
        *(f"article-{pk}" for pk in article_ids),
        *(list_key("tag", pk) for pk in tag_ids),
        SEARCH_KEY,
    }


def keys_changed_by_author(author) -> set[str]:
    return {f"author-{author.pk}"}


def keys_changed_by_category() -> set[str]:
    return {SITE_KEY}  # the header and footer of every page list the categories


def keys_changed_by_tag(tag) -> set[str]:
    return {f"tag-{tag.pk}", list_key("tag", tag.pk), SEARCH_KEY}


def keys_changed_by_faq(item) -> set[str]:
    """The FAQ shows on the article's page; its words count in the reading time of the card."""
    return {f"article-{item.article_id}", f"card-{item.article_id}"}


def site_page_key(page) -> str:
    return f"page-{page.pk}"


# What the footer of every page shows of a site page: its link.
SITE_PAGE_FOOTER_FIELDS = ("title", "slug", "in_footer", "position")


def site_page_state(page) -> dict:
    """The page's footer fields as loaded (deferred ones left out)."""
    return {name: page.__dict__[name] for name in SITE_PAGE_FOOTER_FIELDS if name in page.__dict__}


def keys_changed_by_site_page(page, before: dict | None) -> set[str]:
    """A site page saved: its own page (and its versions' pages); every page, through the footer,
    when its link there changes (`before` None: new, or deleted)."""
    keys = {site_page_key(page)}
    if before is None or before != site_page_state(page):
        keys.add(SITE_KEY)
    return keys
