"""The page cache (careers_site/page_cache.py, articles/page_keys.py): anonymous readers share
pages; a change drops exactly the pages that show what changed, and nothing personal is stored."""

import gzip
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.publication import NEXT_PUBLICATION_KEY, NOTHING_SCHEDULED, forget_reading
from careers_site.page_cache import STATUS_HEADER

from .factories import ArticleFactory, AuthorFactory, FAQItemFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(title="Becoming an ML engineer", tags=[TagFactory(slug="careers")])


def page_urls(article) -> list[str]:
    return [
        "/",
        "/articles/",
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        "/tags/careers/",
        f"/authors/{article.author.slug}/",
    ]


def test_every_public_page_is_served_from_the_cache_the_second_time(client, article):
    for url in page_urls(article):
        first = client.get(url)
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url)

        assert (first[STATUS_HEADER], second[STATUS_HEADER]) == ("miss", "hit"), url
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert len(queries) == 0, url


def test_a_shared_page_carries_no_token_and_sets_no_cookie(client, article):
    for url in page_urls(article):
        for response in (client.get(url), client.get(url)):
            assert b"csrfmiddlewaretoken" not in response.content
            assert not response.cookies, url
            assert "Cookie" not in response.get("Vary", "")


def test_security_headers_are_on_cached_pages_too(client, article):
    client.get("/")
    response = client.get("/")
    assert response[STATUS_HEADER] == "hit"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_tracking_parameters_share_the_page_and_other_parameters_do_not(client, article):
    client.get("/articles/")
    assert client.get("/articles/?ref=sidebar&fbclid=x")[STATUS_HEADER] == "hit"
    assert client.get("/articles/?page=1")[STATUS_HEADER] == "miss"


@pytest.mark.parametrize(
    "landing",
    [
        {"QUERY_STRING": "utm_source=newsletter&utm_campaign=spring"},
        {"HTTP_REFERER": "https://www.google.com/"},
    ],
    ids=["campaign", "other-site"],
)
def test_a_landing_is_rendered_so_that_its_attribution_is_remembered(client, article, landing):
    client.get("/articles/")
    path = "/articles/?" + landing.pop("QUERY_STRING", "")
    response = client.get(path, **landing)

    assert response[STATUS_HEADER] == "bypass"
    assert "leads_visit" in response.cookies  # leads.middleware.AttributionMiddleware


def test_a_link_from_the_site_itself_is_served_from_the_cache(client, article):
    client.get("/articles/")
    response = client.get("/articles/", HTTP_REFERER="http://testserver/")
    assert response[STATUS_HEADER] == "hit"


def test_a_head_request_is_answered_from_the_cache(client, article):
    client.get("/")
    assert client.head("/")[STATUS_HEADER] == "hit"


def test_signed_in_staff_always_get_a_fresh_page(client, article, staff_user):
    client.force_login(staff_user)
    assert client.get("/")[STATUS_HEADER] == "bypass"
    assert client.get("/")[STATUS_HEADER] == "bypass"


def test_the_cache_can_be_turned_off(client, article, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert client.get("/")[STATUS_HEADER] == "bypass"


@pytest.mark.parametrize(
    "change",
    [
        lambda a: setattr(a, "title", "Edited title") or a.save(),
        lambda a: setattr(a.author, "name", "Edited title") or a.author.save(),
        lambda a: setattr(a.category, "name", "Edited title") or a.category.save(),
        lambda a: a.tags.add(TagFactory(name="Edited title")),
        lambda a: FAQItemFactory(article=a, question="Edited title?"),
    ],
    ids=["article", "author", "category", "tags", "faq"],
)
def test_an_edit_shows_at_once_on_the_article_page(client, article, change):
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)[STATUS_HEADER] == "hit"

    change(article)

    response = client.get(url)
    assert response[STATUS_HEADER] == "miss"
    assert "Edited title" in response.content.decode()


def test_a_new_and_an_unpublished_article_show_at_once_on_the_lists(client, article):
    for url in ("/", "/articles/"):
        client.get(url)
    added = ArticleFactory(title="A brand new guide", author=AuthorFactory())
    for url in ("/", "/articles/"):
        assert "A brand new guide" in client.get(url).content.decode()

    added.delete()

    for url in ("/", "/articles/"):
        assert "A brand new guide" not in client.get(url).content.decode()


def test_a_scheduled_article_shows_everywhere_once_it_goes_live(client, article):
    """Nothing saves an article when its time comes: the first request after it drops the
    pages that list it."""
    scheduled = ArticleFactory(
        scheduled=True,
        title="Published on schedule",
        author=article.author,
        category=article.category,
        tags=article.tags.all(),
    )
    assert cache.get(NEXT_PUBLICATION_KEY) == pytest.approx(scheduled.published_at.timestamp())
    urls = page_urls(article)
    for url in urls:
        client.get(url)
        assert "Published on schedule" not in client.get(url).content.decode()

    # Its time comes (moved into the past without a save, as the clock would).
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    cache.set(NEXT_PUBLICATION_KEY, time.time() - 1)
    forget_reading()  # as each process does after a second

    for url in urls:
        response = client.get(url)
        assert response[STATUS_HEADER] == "miss", url
        assert "Published on schedule" in response.content.decode(), url
    assert cache.get(NEXT_PUBLICATION_KEY) == NOTHING_SCHEDULED


def test_pages_are_still_served_when_the_cache_server_is_down(settings, article, outage_log):
    """The production cache backend pointed at a port where nothing listens: pages render and the
    outage is logged."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        },
    }
    response = Client().get(article.get_absolute_url())

    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert response[STATUS_HEADER] == "miss"
    assert "Cache unavailable" in outage_log.text


def test_a_shared_page_is_sent_compressed_to_browsers_that_accept_it(client, article):
    plain = client.get("/articles/")
    packed = client.get("/articles/", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert packed[STATUS_HEADER] == "hit"
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    assert "Accept-Encoding" in packed["Vary"]
    assert "Content-Encoding" not in client.get("/articles/")  # a client without gzip


def test_an_edit_of_the_body_alone_leaves_the_lists_alone(client, article):
    """The lists show the card (title, summary, date...), which a change of the text leaves."""
    for url in ("/articles/", article.get_absolute_url()):
        client.get(url)

    article.body = "A corrected paragraph."
    article.save()

    assert client.get(article.get_absolute_url())[STATUS_HEADER] == "miss"
    assert client.get("/articles/")[STATUS_HEADER] == "hit"

    article.title = "A clearer title"
    article.save()

    listing = client.get("/articles/")
    assert listing[STATUS_HEADER] == "miss"
    assert "A clearer title" in listing.content.decode()


def test_a_list_page_without_the_changed_article_is_kept(client, settings):
    articles = ArticleFactory.create_batch(settings.ARTICLES_PER_PAGE + 1)
    oldest = min(articles, key=lambda a: a.published_at)
    for url in ("/articles/", "/articles/?page=2"):
        client.get(url)

    oldest.title = "Renamed on page two"
    oldest.save()

    assert client.get("/articles/")[STATUS_HEADER] == "hit"
    assert "Renamed on page two" in client.get("/articles/?page=2").content.decode()


def test_a_new_article_drops_the_pages_of_its_lists_and_not_the_others(client, article):
    elsewhere = ArticleFactory()  # another category, author and no tags
    watched = ["/", "/articles/", article.category.get_absolute_url(), "/tags/careers/"]
    for url in [*watched, elsewhere.category.get_absolute_url()]:
        client.get(url)

    ArticleFactory(title="Joins the lists", category=article.category, tags=article.tags.all())

    for url in watched:
        response = client.get(url)
        assert response[STATUS_HEADER] == "miss", url
        assert "Joins the lists" in response.content.decode(), url
    assert client.get(elsewhere.category.get_absolute_url())[STATUS_HEADER] == "hit"


def test_search_results_are_shared_until_any_article_changes(client, article):
    url = "/search/?q=engineer"
    client.get(url)
    assert client.get(url)[STATUS_HEADER] == "hit"

    ArticleFactory(title="Another engineer's path", author=AuthorFactory())

    response = client.get(url)
    assert response[STATUS_HEADER] == "miss"
    assert "Another engineer" in response.content.decode()
