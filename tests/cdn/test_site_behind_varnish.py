"""The site itself behind a real Varnish (cdn/default.vcl): what readers see through the CDN follows
the changes the app purges, within a second, and nothing personal is ever stored there."""

import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from careers_site.page_cache import CDN_PURGE_AGAIN_SECONDS
from cdn.varnish import running_varnish
from comments.models import Comment
from comments.services import comments_moderate
from tests.articles.factories import ArticleFactory
from tests.comments.factories import CommentFactory

from .conftest import unused_port

pytestmark = [pytest.mark.cdn, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_behind_varnish(varnishd, live_server, settings):
    """Varnish in front of the test server; the app purges it after every change."""
    backend_port = urlsplit(live_server.url).port
    with running_varnish(port=unused_port(), backend_port=backend_port) as varnish:
        settings.CDN_PURGE_URLS = [varnish.purge_url]
        settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
        yield varnish


def fetch(url: str, cookie: str = "") -> tuple[str, str]:
    """The page's text and how Varnish answered it (X-Cache)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode(), response.headers.get("X-Cache", "")


def visible_within(seconds: float, url: str, text: str) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in fetch(url)[0]:
            return True
        time.sleep(0.05)
    return False


def settled() -> None:
    """Wait out the second purge of what the set-up changed (the app purges the CDN again a
    second after each change): a page stored before it would be dropped by it, and the test
    would see a MISS where it asserts a HIT."""
    time.sleep(CDN_PURGE_AGAIN_SECONDS + 0.3)


def test_an_approved_comment_shows_through_varnish_within_a_second(site_behind_varnish):
    article = ArticleFactory()
    url = site_behind_varnish.url + article.get_absolute_url()
    held = CommentFactory(article=article, pending=True, author_name="Quinn Through")
    settled()
    fetch(url)
    page, cache = fetch(url)
    assert cache == "HIT"
    assert "Quinn Through" not in page

    comments_moderate(comments=[Comment.objects.get(pk=held.pk)], status="approved")

    assert visible_within(1.0, url, "Quinn Through")
    assert fetch(url)[1] == "HIT"  # stored again once fetched


def test_an_article_edit_shows_through_varnish_within_a_second(site_behind_varnish):
    article = ArticleFactory(title="Before the edit")
    urls = [site_behind_varnish.url + path for path in (article.get_absolute_url(), "/articles/")]
    settled()
    for url in urls:
        fetch(url)
        assert fetch(url)[1] == "HIT"

    article.title = "After the edit"
    article.save()

    for url in urls:
        assert visible_within(1.0, url, "After the edit"), url


def test_another_article_stays_stored_when_one_changes(site_behind_varnish):
    changed, other = ArticleFactory(), ArticleFactory()
    other_url = site_behind_varnish.url + other.get_absolute_url()
    settled()
    fetch(other_url)

    CommentFactory(article=changed)

    assert fetch(other_url)[1] == "HIT"


@pytest.mark.parametrize("cookie", ["sessionid=abc", "comment_author=signed", "messages=x"])
def test_a_personal_page_is_never_stored(site_behind_varnish, cookie):
    article = ArticleFactory()
    url = site_behind_varnish.url + article.get_absolute_url()
    for _ in range(2):
        assert fetch(url, cookie=cookie)[1] == "PASS"


def test_the_comment_form_page_is_never_stored(site_behind_varnish):
    """It carries a form token and its cookie: the app marks it private."""
    article = ArticleFactory()
    url = site_behind_varnish.url + article.get_absolute_url() + "comments/"
    for _ in range(2):
        page, cache = fetch(url)
        assert cache in {"MISS", "PASS"}
        assert "csrfmiddlewaretoken" in page
