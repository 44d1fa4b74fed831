"""RSS 2.0 and Atom feeds: the whole site, a category, an author. Links are absolute (SITE_URL);
authors appear by name only, never with an e-mail address.

Each entry carries the whole article (RSS `content:encoded`, Atom `content`), the summary beside
it: a reader who follows the site in a feed reader reads it there, as they would a newspaper's.
"""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html

from .models import Article, Author, Category
from .structured_data import featured_image

FEED_SIZE = 20
# A site-relative address in the (already sanitised) body: made absolute for feed readers.
RELATIVE_URL = re.compile(r'(href|src)="/(?!/)')
# The renditions of an image in the body: each address of a `srcset` made absolute the same way.
SRCSET = re.compile(r'srcset="([^"]*)"')
SRCSET_RELATIVE = re.compile(r"(^|,\s*)/(?!/)")


class FullTextRssFeed(Rss201rev2Feed):
    def rss_attributes(self) -> dict:
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class FullTextAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def absolute_srcset(srcset: str) -> str:
    return SRCSET_RELATIVE.sub(lambda url: f"{url[1]}{settings.SITE_URL}/", srcset)


def full_text(article: Article) -> str:
    """The article as its page shows it: the featured image, then the body, links absolute."""
    image = featured_image(article)
    figure = (
        format_html('<p><img src="{}" alt="{}"></p>', image["url"], article.featured_image_alt)
        if image
        else ""
    )
    body = RELATIVE_URL.sub(lambda match: f'{match[1]}="{settings.SITE_URL}/', article.body_html)
    body = SRCSET.sub(lambda match: f'srcset="{absolute_srcset(match[1])}"', body)
    return figure + body


class SiteFeed(Feed):
    feed_type = FullTextRssFeed
    feed_name = "feed"
    description = "New articles about careers in AI and machine learning."
    language = "en"

    def title(self, obj=None) -> str:
        return settings.SITE_NAME

    def link(self, obj=None) -> str:
        return settings.SITE_URL + "/"

    def feed_url(self, obj=None) -> str:
        return settings.SITE_URL + reverse(f"articles:{self.feed_name}")

    def articles(self, obj=None):
        return Article.objects.published()

    def items(self, obj=None):
        return self.articles(obj).for_page().prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.dek

    def item_link(self, item: Article) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return self.item_link(item)

    def item_extra_kwargs(self, item: Article) -> dict:
        return {"content_html": full_text(item)}

    def item_author_name(self, item: Article) -> str:
        return item.author.name

    def item_author_link(self, item: Article) -> str:
        return settings.SITE_URL + item.author.get_absolute_url()

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name, *(tag.name for tag in item.tags.all())]


class SiteAtomFeed(SiteFeed):
    feed_type = FullTextAtomFeed
    feed_name = "feed-atom"
    subtitle = SiteFeed.description


class CategoryFeed(SiteFeed):
    feed_name = "category-feed"

    def get_object(self, request, slug: str) -> Category:
        return get_object_or_404(Category, slug=slug)

    def title(self, obj: Category) -> str:
        return f"{obj.name} | {settings.SITE_NAME}"

    def description(self, obj: Category) -> str:
        return obj.description or f"New articles in {obj.name}."

    def link(self, obj: Category) -> str:
        return settings.SITE_URL + obj.get_absolute_url()

    def feed_url(self, obj: Category) -> str:
        return settings.SITE_URL + reverse(f"articles:{self.feed_name}", args=[obj.slug])

    def articles(self, obj: Category):
        return Article.objects.published().filter(category=obj)


class AuthorFeed(CategoryFeed):
    feed_name = "author-feed"

    def get_object(self, request, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def description(self, obj: Author) -> str:
        return f"New articles by {obj.name}."

    def articles(self, obj: Author):
        return Article.objects.published().filter(author=obj)
