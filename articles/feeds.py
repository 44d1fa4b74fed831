"""RSS 2.0 and Atom feeds: the whole site, a category, an author. Links are absolute (SITE_URL);
authors appear by name only, never with an e-mail address."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .models import Article, Author, Category

FEED_SIZE = 20


class SiteFeed(Feed):
    feed_type = Rss201rev2Feed
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
        return self.articles(obj).for_cards().prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.dek

    def item_link(self, item: Article) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return self.item_link(item)

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
    feed_type = Atom1Feed
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
