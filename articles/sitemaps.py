from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Article, Author, Category, SitePage


class SiteUrlSitemap(Sitemap):
    """Absolute URLs on SITE_URL's scheme and host, without the sites framework."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class HomeSitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("-published_at", "-pk")

    def lastmod(self, item: Article):
        return item.updated_at


class CategorySitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Category.objects.filter(
            articles__in=Article.objects.published().values("pk")
        ).distinct()


class AuthorSitemap(CategorySitemap):
    def items(self):
        return Author.objects.filter(
            articles__in=Article.objects.published().values("pk")
        ).distinct()


class SitePageSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return SitePage.objects.order_by("position", "pk")

    def lastmod(self, item: SitePage):
        return item.updated_at


sitemaps = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "authors": AuthorSitemap,
    "pages": SitePageSitemap,
}
