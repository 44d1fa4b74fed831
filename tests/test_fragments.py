"""Shared fragments (careers_site.cache.GenerationalCache, articles.page_cache): an article page
without the full-page cache is put together from fragments and needs no query once they exist."""

import html
import json
import re
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.page_cache import GENERATION_KEY, content_generation, pages_changed
from tests.articles.factories import ArticleFactory, FAQItemFactory, TagFactory
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_a_value_is_read_from_the_shared_cache_once_then_from_the_process(settings):
    fragments = caches["template_fragments"]
    shared_key = fragments.make_key("fragment:1:x")
    assert shared_key.startswith(f"release-{settings.RELEASE}:")
    fragments.set("fragment:1:x", "<p>shared</p>", timeout=60)
    assert cache.get(shared_key) == "<p>shared</p>"  # written through to the shared cache

    cache.delete(shared_key)
    assert fragments.get("fragment:1:x") == "<p>shared</p>"  # this process's copy

    fragments.clear()  # forgets the copies only
    assert fragments.get("fragment:1:x") is None
    cache.set(fragments.make_key("fragment:1:y"), "<p>from another process</p>")
    assert fragments.get("fragment:1:y") == "<p>from another process</p>"
    cache.delete(fragments.make_key("fragment:1:y"))
    assert fragments.get("fragment:1:y") == "<p>from another process</p>"


def test_another_release_never_reads_this_ones_fragments(tmp_path):
    """A deploy changes the release (DJANGO_RELEASE, or the hash of the code and templates), and
    with it every key of the page and fragment caches."""
    from careers_site.release import source_fingerprint

    for directory in ("careers_site", "templates"):
        (tmp_path / directory).mkdir()
    (tmp_path / "careers_site" / "views.py").write_text("def view(): ...\n")
    (tmp_path / "templates" / "base.html").write_text("<p>Hello</p>\n")
    before = source_fingerprint(tmp_path)
    assert source_fingerprint(tmp_path) == before  # the same on every server of a release
    (tmp_path / "templates" / "base.html").write_text("<p>Hello, reader</p>\n")
    assert source_fingerprint(tmp_path) != before


def test_a_new_generation_counter_starts_from_the_clock():
    """After the cache server restarts empty, no process may reuse its copies of old fragments."""
    cache.delete(GENERATION_KEY)
    before = int(time.time() * 1000)
    generation = content_generation()
    assert generation >= before
    pages_changed()
    assert content_generation() > generation


def test_an_article_page_from_fragments_needs_no_query(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # "cold": no full-page cache
    article = ArticleFactory(tags=[TagFactory(name="Careers")], with_image=True)
    FAQItemFactory(article=article, question="Do I need a PhD?")
    ArticleFactory(category=article.category, title="A related guide")
    CommentFactory.create_batch(3, article=article)
    first = client.get(article.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        second = client.get(article.get_absolute_url())

    assert [q["sql"] for q in queries.captured_queries] == []
    assert second["X-Page-Cache"] == "bypass"
    assert second.content == first.content
    html = second.content.decode()
    for text in ("Do I need a PhD?", "A related guide", "Careers", '"@type": "FAQPage"'):
        assert text in html
    assert html.count('class="comment depth-') == 3


def test_fragments_follow_an_edit(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(body="## Before\n\nOld words.")
    client.get(article.get_absolute_url())

    article.body = "## After\n\nNew words."
    article.save()

    html = client.get(article.get_absolute_url()).content.decode()
    assert "New words." in html and "Old words." not in html


def test_another_process_change_shows_within_the_check_interval(settings):
    settings.CONTENT_GENERATION_CHECK_SECONDS = 60
    generation = content_generation()

    cache.incr(GENERATION_KEY)  # another worker moved it on
    assert content_generation() == generation  # this process trusts its reading for a while

    settings.CONTENT_GENERATION_CHECK_SECONDS = 0
    assert content_generation() == generation + 1


def test_a_change_made_in_this_process_shows_at_once(settings):
    settings.CONTENT_GENERATION_CHECK_SECONDS = 60
    generation = content_generation()
    pages_changed()
    assert content_generation() > generation


def test_an_article_page_in_any_script_is_ascii_html_that_reads_the_same(client, settings):
    """Titles, texts, names and comments in any script reach the reader unchanged, written as
    character references (and \\u escapes in the JSON-LD), so the page is one ASCII string:
    Python joins and encodes those by copying bytes (articles.rendering.ascii_html)."""
    settings.PAGE_CACHE_SECONDS = 0  # a page put together from its fragments
    title = "L’apprentissage automatique — 機械学習"
    article = ArticleFactory(title=title, dek="Où commencer ? 🚀")
    CommentFactory(article=article, author_name="Zoë", body="Très utile, merci ! 👍")

    for _ in range(2):  # rendered and stored, then read back from the fragments
        page = client.get(article.get_absolute_url()).content.decode()
        assert page.isascii()
        text = html.unescape(page)
        assert f"<title>{title} | " in text
        assert '<h1 id="article-title" class="article-title">' + title in text
        assert "Où commencer ? 🚀" in text
        assert "Zoë" in text and "Très utile, merci ! 👍" in text
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert any(json.loads(block).get("headline") == title for block in blocks)
