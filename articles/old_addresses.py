"""Where an address of the WordPress site the publication moved from now leads: a post's old
permalink (kept as an OldPath), its `?p=ID` form, the date-based paths WordPress answers, and the
old feed, category, tag and author addresses. Each answer is the address of a row that exists
(a live article, a category...), never another old address: no chain or loop can form."""

import re
from urllib.parse import unquote

from django.db.models import Q
from django.urls import reverse

from .models import Article, Author, Category, ImportedItem, OldPath, OldSlug, SitePage, Tag

FEED = r"feed/(?:rss2?/|rdf/|atom/)?"
SITE_FEED_RE = re.compile(
    rf"^/(?:{FEED}|comments/{FEED}|rss2?/|wp-rss2?\.php/|wp-atom\.php/|wp-rdf\.php/)$"
)
CATEGORY_RE = re.compile(rf"^/category/(?P<slugs>(?:[^/]+/)+?)(?P<feed>{FEED})?$")
TAG_RE = re.compile(rf"^/tag/(?P<slug>[^/]+)/(?:{FEED})?$")
AUTHOR_RE = re.compile(rf"^/author/(?P<login>[^/]+)/(?P<feed>{FEED})?$")
DATED_RE = re.compile(
    rf"^/\d{{4}}/\d{{2}}/(?:\d{{2}}/)?(?P<slug>[^/]+)/(?:{FEED}|amp/|\d+/)?$"
)  # /2020/05/04/slug/, /2020/05/slug/, and their feed, AMP and page-2 forms
POST_FEED_RE = re.compile(rf"^(?P<path>/.+/)(?:{FEED}|amp/)$")


def _imported_pk(kind: str, wordpress_id: str) -> int | None:
    return (
        ImportedItem.objects.filter(kind=kind, wordpress_id=wordpress_id)
        .values_list("object_id", flat=True)
        .first()
    )


def _live_article_url(**lookup) -> str | None:
    article = Article.objects.published().filter(**lookup).only("slug").first()
    return article.get_absolute_url() if article else None


def _article_by_slug(slug: str) -> str | None:
    return _live_article_url(slug=slug) or _live_article_url(
        pk__in=OldSlug.objects.filter(slug=slug).values("article_id")
    )


def query_target(path: str, query: dict) -> str | None:
    """`/?p=12`, `/?page_id=3`, `/?feed=rss2`: WordPress's addresses without pretty permalinks."""
    if path != "/":
        return None
    post_id, page_id = query.get("p", ""), query.get("page_id", "")
    if post_id.isdigit():
        pk = _imported_pk(ImportedItem.Kind.POST, post_id)
        return _live_article_url(pk=pk) if pk else None
    if page_id.isdigit():
        pk = _imported_pk(ImportedItem.Kind.PAGE, page_id)
        page = SitePage.objects.filter(pk=pk).only("slug").first() if pk else None
        return page.get_absolute_url() if page else None
    if query.get("feed"):
        return reverse("articles:feed-atom" if query["feed"] == "atom" else "articles:feed")
    return None


def old_address_target(path: str) -> str | None:
    """Where an address that found nothing here leads, if it was one of WordPress's."""
    path = unquote(path if path.endswith("/") else f"{path}/")
    if "\x00" in path:
        return None  # no WordPress address has one, and PostgreSQL refuses it in a query
    kept = (
        OldPath.objects.filter(path=path)
        .filter(Q(article__in=Article.objects.published()) | Q(site_page__isnull=False))
        .select_related("article", "site_page")
        .first()
    )
    if kept is not None:
        return (kept.article or kept.site_page).get_absolute_url()
    if SITE_FEED_RE.match(path):
        return reverse("articles:feed-atom" if "atom" in path else "articles:feed")
    if match := CATEGORY_RE.match(path):
        slug = match["slugs"].strip("/").split("/")[-1]
        feed = "articles:category-feed" if match["feed"] else None
        return _listing_target(Category, ImportedItem.Kind.CATEGORY, slug, feed)
    if match := TAG_RE.match(path):
        tag = Tag.objects.filter(slug=match["slug"]).only("slug").first()
        return tag.get_absolute_url() if tag else None
    if match := AUTHOR_RE.match(path):
        feed = "articles:author-feed" if match["feed"] else None
        return _listing_target(Author, ImportedItem.Kind.AUTHOR, match["login"], feed)
    if match := DATED_RE.match(path):
        return _article_by_slug(match["slug"])
    if match := POST_FEED_RE.match(path):
        return old_address_target(match["path"]) if match["path"] != path else None
    return None


def _listing_target(model, kind: str, wordpress_id: str, feed_name: str | None) -> str | None:
    """A category's or author's page (or feed): the one imported with this WordPress id, else
    the one with that slug."""
    pk = _imported_pk(kind, wordpress_id)
    found = model.objects.filter(**({"pk": pk} if pk else {"slug": wordpress_id})).first()
    if found is None:
        return None
    if feed_name:
        return reverse(feed_name, kwargs={"slug": found.slug})
    return found.get_absolute_url()
