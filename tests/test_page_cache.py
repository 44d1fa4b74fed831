"""careers_site.page_cache on both caches it runs on (local memory in development, Redis in
production): a change drops exactly the pages stored under its keys, a render that overlapped a
change is not kept, and shared pages tell a CDN what they are."""

import gzip
import time

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from articles.publication import NEXT_PUBLICATION_KEY, forget_reading
from careers_site import page_cache
from careers_site.page_cache import KEYS_HEADER, STATUS_HEADER, CopiesFirst, pages_changed
from careers_site.page_copies import PageCopies
from tests.articles.factories import ArticleFactory
from tests.comments.factories import CommentFactory
from tests.services import use_redis_cache

pytestmark = pytest.mark.django_db  # pages_changed waits for the transaction to commit

REDIS_LOCATION = "redis://127.0.0.1:6379/12"  # its own database: it is flushed


@pytest.fixture(params=["locmem", "redis"])
def page_store(request, settings):
    if request.param == "redis":
        use_redis_cache(settings, REDIS_LOCATION)
    caches["default"].clear()
    yield page_cache._index()
    caches["default"].clear()


def store(index, address: str, keys: set[str], rendered_since: float | None = None) -> None:
    since = time.time() if rendered_since is None else rendered_since
    index.store(address, (b"page", ()), keys, 60, rendered_since=since)


def test_a_change_drops_exactly_the_pages_stored_under_its_keys(page_store):
    store(page_store, "page:a", {"site", "article-1", "card-2"})
    store(page_store, "page:b", {"site", "article-2"})
    store(page_store, "page:c", {"site", "article-3"})

    pages_changed({"card-2", "article-2"})

    cache = caches["default"]
    assert cache.get("page:a") is None
    assert cache.get("page:b") is None
    assert cache.get("page:c") == (b"page", ())


def test_a_page_rendered_across_a_change_of_its_keys_is_not_kept(page_store):
    """Its render may have read the rows from before the change."""
    started = time.time()
    pages_changed({"article-1"})  # while the page was being rendered
    store(page_store, "page:a", {"site", "article-1"}, rendered_since=started)
    store(page_store, "page:b", {"site", "article-2"}, rendered_since=started)

    assert caches["default"].get("page:a") is None
    assert caches["default"].get("page:b") == (b"page", ())


def test_keys_that_could_inject_into_a_purge_are_ignored(page_store):
    store(page_store, "page:a", {"article-1"})
    pages_changed({"article-1 site", "(.*)", ""})
    assert caches["default"].get("page:a") == (b"page", ())


def test_a_shared_page_names_its_keys_for_a_cdn_and_lets_it_keep_the_page(page_store, client):
    article = ArticleFactory()
    CommentFactory(article=article)

    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url())

    assert (first[STATUS_HEADER], second[STATUS_HEADER]) == ("miss", "hit")
    for response in (first, second):
        keys = set(response[KEYS_HEADER].split())
        assert {"site", f"article-{article.pk}", f"comments-{article.pk}"} <= keys
        assert f"author-{article.author_id}" in keys
        assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")
        assert response["Vary"] == "Accept-Encoding"


def test_a_comment_on_one_article_leaves_the_other_articles_pages_alone(page_store, client):
    article, other = ArticleFactory(), ArticleFactory()
    for url in (article.get_absolute_url(), other.get_absolute_url()):
        client.get(url)

    CommentFactory(article=article, author_name="Ada Newcomer")

    page = client.get(article.get_absolute_url())
    assert page[STATUS_HEADER] == "miss"
    assert "Ada Newcomer" in page.content.decode()
    assert client.get(other.get_absolute_url())[STATUS_HEADER] == "hit"


def test_a_personal_request_is_never_shared(page_store, client):
    article = ArticleFactory()
    client.cookies["comment_author"] = "signed-details"
    for _ in range(2):
        response = client.get(article.get_absolute_url())
        assert response[STATUS_HEADER] == "bypass"
        assert "s-maxage" not in response.get("Cache-Control", "")
        assert KEYS_HEADER not in response


def test_a_page_that_is_not_shared_is_never_stored(page_store, client):
    """The information-request page carries a form token: its view is not a shared one."""
    for _ in range(2):
        response = client.get("/get-info/")
        assert response.status_code == 200
        assert STATUS_HEADER not in response
        assert "s-maxage" not in response.get("Cache-Control", "")


# This process's copies (careers_site/page_copies.py)


def listening_copies(max_entries: int = 10) -> PageCopies:
    copies = PageCopies(max_entries=max_entries, max_age=60)
    copies.listening = True  # as its listener sets it once subscribed
    return copies


def test_a_copy_is_dropped_by_a_change_of_any_of_its_keys():
    copies = listening_copies()
    copies.keep("page:a", "A", ["site", "article-1"], copies.changes)
    copies.keep("page:b", "B", ["site", "article-2"], copies.changes)

    copies.drop(["article-1"])

    assert copies.get("page:a") is None
    assert copies.get("page:b") == "B"
    copies.drop(["site"])
    assert copies.get("page:b") is None


def test_a_copy_read_across_a_change_is_not_kept():
    copies = listening_copies()
    before = copies.changes
    copies.drop(["article-9"])  # heard while the page was being read from Redis
    copies.keep("page:a", "A", ["article-1"], before)
    assert copies.get("page:a") is None


def test_no_copy_is_used_or_kept_while_the_process_does_not_hear_of_changes():
    copies = PageCopies(max_entries=10, max_age=60)  # its listener not subscribed
    copies.keep("page:a", "A", ["article-1"], copies.changes)
    copies.listening = True
    assert copies.get("page:a") is None


def test_copies_keep_the_most_recently_read_pages():
    copies = listening_copies(max_entries=2)
    for address in ("page:a", "page:b"):
        copies.keep(address, address, ["site"], copies.changes)
    assert copies.get("page:a") == "page:a"  # now the most recently read
    copies.keep("page:c", "page:c", ["site"], copies.changes)

    assert copies.get("page:b") is None
    assert (copies.get("page:a"), copies.get("page:c")) == ("page:a", "page:c")
    assert copies.by_key["site"] == {"page:a", "page:c"}


def listening_process_copies(settings) -> PageCopies:
    """This process's copies on the production cache, once its listener is subscribed."""
    use_redis_cache(settings, REDIS_LOCATION)
    caches["default"].clear()
    copies = page_cache._copies()
    deadline = time.monotonic() + 5
    while not copies.listening:
        assert time.monotonic() < deadline, "the listener never subscribed"
        time.sleep(0.02)
    return copies


def test_another_process_change_drops_this_process_copy_through_redis(settings, client):
    """The change is published on Redis, and this process's listener drops its copy."""
    copies = listening_process_copies(settings)
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)  # rendered and stored in Redis
    client.get(url)  # read from Redis: this process keeps a copy
    assert client.get(url)[STATUS_HEADER] == "hit"
    assert any(f"article-{article.pk}" in keys for _, _, keys in copies.pages.values())

    # Another process's change: only Redis and its channel, not this process's drop().
    page_cache.RedisIndex(caches["default"]).drop({f"article-{article.pk}"}, changed_at=time.time())

    deadline = time.monotonic() + 5
    while any(f"article-{article.pk}" in keys for _, _, keys in copies.pages.values()):
        assert time.monotonic() < deadline, "the copy outlived the change"
        time.sleep(0.02)
    assert client.get(url)[STATUS_HEADER] == "miss"
    caches["default"].clear()


def test_a_copy_answers_with_the_same_headers_and_page_as_redis(settings, client):
    copies = listening_process_copies(settings)
    article = ArticleFactory()
    url = article.get_absolute_url()
    gzip_client = {"Accept-Encoding": "gzip, deflate, br"}
    client.get(url, headers=gzip_client)  # rendered and stored
    from_redis = client.get(url, headers=gzip_client)  # read from Redis, copy kept
    from_copy = client.get(url, headers=gzip_client)
    plain = client.get(url)  # a client without gzip, from the copy too

    assert copies.get(page_cache.page_address(from_copy.wsgi_request)) is not None
    assert from_copy.content == from_redis.content
    assert dict(from_copy.headers) == dict(from_redis.headers)
    assert from_copy["Content-Security-Policy"] and from_copy["X-Frame-Options"] == "DENY"
    assert "Content-Encoding" not in plain
    assert gzip.decompress(from_copy.content) == plain.content
    caches["default"].clear()


@pytest.fixture
def front(settings):
    """The site's WSGI application as gunicorn calls it: copies first, then Django's handler
    (whose request signals are counted; the database connection is left to the test)."""
    started = []

    def count(**kwargs) -> None:
        started.append(kwargs)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.connect(count)
    try:
        yield CopiesFirst(WSGIHandler()), started
    finally:
        request_started.disconnect(count)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_get(application, path: str, **environ) -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None) -> None:
        answer.update(status=status, headers=dict(headers))

    request = RequestFactory().get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    body = application({**request.environ, **environ}, start_response)
    content = b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return answer["status"], answer["headers"], content


def test_a_page_this_process_keeps_is_answered_before_django(settings, front):
    """No handler, signal or middleware runs for it, and it goes out as Redis gave it."""
    application, started = front
    copies = listening_process_copies(settings)
    url = ArticleFactory(title="Answered from the copy").get_absolute_url()
    wsgi_get(application, url)  # rendered and stored
    _, from_redis_headers, from_redis = wsgi_get(application, url)  # read from Redis, kept
    assert len(started) == 2

    status, headers, content = wsgi_get(application, url)

    assert len(started) == 2  # Django never saw it
    assert status == "200 OK"
    assert headers == from_redis_headers
    assert headers["X-Page-Cache"] == "hit"
    assert headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert content == from_redis
    assert "Answered from the copy" in gzip.decompress(content).decode()
    assert copies.pages
    caches["default"].clear()


@pytest.mark.parametrize(
    "environ",
    [
        {"REQUEST_METHOD": "POST"},
        {"REQUEST_METHOD": "HEAD"},
        {"HTTP_ACCEPT_ENCODING": "identity"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"QUERY_STRING": "utm_source=newsletter"},
        {"HTTP_REFERER": "https://elsewhere.example/"},
        {"HTTP_HOST": "attacker.example"},
    ],
    ids=["post", "head", "no-gzip", "session", "campaign", "referrer", "unknown-host"],
)
def test_what_a_copy_may_not_answer_goes_to_django(settings, front, environ):
    application, started = front
    listening_process_copies(settings)
    url = ArticleFactory().get_absolute_url()
    wsgi_get(application, url)
    wsgi_get(application, url)  # a copy is kept
    before = len(started)

    wsgi_get(application, url, **environ)

    assert len(started) == before + 1
    caches["default"].clear()


def test_a_change_sends_the_next_reader_to_django(settings, front):
    application, started = front
    listening_process_copies(settings)
    article = ArticleFactory(title="Before the edit")
    url = article.get_absolute_url()
    wsgi_get(application, url)
    wsgi_get(application, url)
    article.title = "After the edit"
    article.save()  # drops this process's copy at once

    _, headers, content = wsgi_get(application, url)

    assert headers["X-Page-Cache"] == "miss"
    assert "After the edit" in gzip.decompress(content).decode()
    caches["default"].clear()


def test_a_scheduled_article_going_live_is_seen_before_a_copy_is_answered(settings, front):
    """What the apps run before every page (articles: scheduled publication) runs first."""
    application, started = front
    listening_process_copies(settings)
    article = ArticleFactory()
    scheduled = ArticleFactory(
        scheduled=True, title="Live on time", category=article.category, author=article.author
    )
    url = article.author.get_absolute_url()
    wsgi_get(application, url)
    wsgi_get(application, url)
    assert "Live on time" not in gzip.decompress(wsgi_get(application, url)[2]).decode()

    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    caches["default"].set(NEXT_PUBLICATION_KEY, time.time() - 1)
    forget_reading()

    _, headers, content = wsgi_get(application, url)
    assert headers["X-Page-Cache"] == "miss"
    assert "Live on time" in gzip.decompress(content).decode()
    caches["default"].clear()
