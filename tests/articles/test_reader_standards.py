"""What a reader notices on every page: one spelling of each label, valid machine-readable dates,
and the small details of a publication (tests/e2e/test_reader_layout.py has the browser's)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_the_call_to_action_has_one_spelling_everywhere(client):
    article = ArticleFactory()
    for url in ("/", article.get_absolute_url(), "/get-info/"):
        content = client.get(url).content.decode()
        assert "Get more information" in content
        assert "Get More Information" not in content


HTML_DATETIME = re.compile(r'(?:datetime|content)="(\d{4}-\d\d-\d\dT[^"]*)"')


def test_every_machine_readable_time_has_at_most_milliseconds(client):
    """HTML's `datetime` allows one to three digits of a second; Django's "c" format gave six."""
    tag = TagFactory()
    published = timezone.now().replace(microsecond=547098) - timedelta(days=3)
    article = ArticleFactory(published_at=published, tags=[tag])
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now())  # "Updated" shows
    ArticleFactory(published_at=published, tags=[tag])  # a related card

    for url in (article.get_absolute_url(), "/", "/articles/", tag.get_absolute_url()):
        html = client.get(url).content.decode()
        times = HTML_DATETIME.findall(html)
        assert times, url
        for value in times:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?[+-]\d\d:\d\d", value)


def test_the_information_page_is_indexable_and_its_variants_name_it_canonical(client):
    article = ArticleFactory()
    for query in ("", f"?article={article.slug}", "?article=x&utm_source=news"):
        html = client.get(f"/get-info/{query}").content.decode()
        assert '<link rel="canonical" href="https://careers.example/get-info/">' in html
        assert "noindex" not in html


def test_the_csrf_cookie_is_out_of_reach_of_scripts(client):
    article = ArticleFactory()
    for url in ("/get-info/", f"/articles/{article.slug}/comments/form/", "/get-info/form/"):
        response = client.get(url)
        assert response.cookies["csrftoken"]["httponly"] is True, url
