"""JSON-LD for search engines: BlogPosting, FAQPage and BreadcrumbList for an article; a
ProfilePage about a Person for an author. Plain dicts; `{% json_ld %}` serialises them safely."""

from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from .models import Article, Author


def html_datetime(value: datetime) -> str:
    """ISO 8601 to the second in the site's time zone: what HTML's `datetime` attribute allows
    (at most three digits of a second) and what JSON-LD and Open Graph read."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def featured_image(article: Article) -> dict | None:
    """The largest rendition of the featured image: absolute URL, width and height."""
    sizes = (article.featured_image_renditions or {}).get("sizes") or []
    if not sizes:
        return None
    largest = sizes[-1]
    return {
        "url": absolute(default_storage.url(largest["jpg"])),
        "width": largest["width"],
        "height": largest["height"],
    }


def publisher() -> dict:
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static("img/logo.png")),
            "width": 512,
            "height": 512,
        },
    }


def person(author: Author) -> dict:
    data = {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
    if author.role:
        data["jobTitle"] = author.role
    return data


def article_json_ld(article: Article) -> list[dict]:
    url = absolute(article.get_absolute_url())
    posting = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": article.description,
        "datePublished": html_datetime(article.published_at) if article.published_at else None,
        "dateModified": html_datetime(article.updated_at),
        "author": person(article.author),
        "publisher": publisher(),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "wordCount": article.word_count,
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tag_list],
        "inLanguage": "en",
    }
    image = featured_image(article)
    if image:
        posting["image"] = {"@type": "ImageObject", **image}
    items = [
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": absolute("/")},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": article.category.name,
                    "item": absolute(article.category.get_absolute_url()),
                },
                {"@type": "ListItem", "position": 3, "name": article.title, "item": url},
            ],
        },
        posting,
    ]
    faqs = article.faq_list
    if faqs:
        items.append(
            {
                "@context": "https://schema.org",
                "@type": "FAQPage",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": item.question,
                        "acceptedAnswer": {"@type": "Answer", "text": strip_tags(item.answer)},
                    }
                    for item in faqs
                ],
            }
        )
    return items


def author_json_ld(author: Author) -> list[dict]:
    return [
        {
            "@context": "https://schema.org",
            "@type": "ProfilePage",
            "url": absolute(author.get_absolute_url()),
            "mainEntity": {**person(author), "description": author.bio},
        }
    ]


def home_json_ld() -> list[dict]:
    return [
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
            "potentialAction": {
                "@type": "SearchAction",
                "target": settings.SITE_URL + reverse("articles:search") + "?q={query}",
                "query-input": "required name=query",
            },
        },
        {"@context": "https://schema.org", **publisher()},
    ]
