"""Being found: site search, feeds, sitemap, robots.txt and page metadata."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, CategoryFactory, FAQItemFactory, TagFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL (DATABASE_URL)"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the plain fallback serves SQLite"
)


def found(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


class TestSearch:
    def test_finds_title_dek_body_tags_category_and_author(self, client):
        ArticleFactory(title="Becoming a data engineer")
        ArticleFactory(dek="Negotiating compensation packages")
        ArticleFactory(body="A section about gradient boosting.")
        ArticleFactory(title="Tagged", tags=[TagFactory(name="Kubernetes")])
        ArticleFactory(title="Categorised", category=CategoryFactory(name="Robotics"))
        ArticleFactory(title="By Ada", author=AuthorFactory(name="Ada Lovelace"))
        assert found(client, "data engineer") == ["Becoming a data engineer"]
        assert len(found(client, "compensation")) == 1
        assert len(found(client, "boosting")) == 1
        assert found(client, "kubernetes") == ["Tagged"]
        assert found(client, "robotics") == ["Categorised"]
        assert found(client, "lovelace") == ["By Ada"]

    def test_only_published_articles_are_found(self, client):
        ArticleFactory(title="Quantum careers live")
        ArticleFactory(title="Quantum careers draft", draft=True)
        ArticleFactory(title="Quantum careers scheduled", scheduled=True)
        assert found(client, "quantum") == ["Quantum careers live"]

    def test_query_is_kept_in_the_box_and_page_is_noindex(self, client):
        ArticleFactory(title="Python for ML")
        response = client.get("/search/", {"q": "python"})
        assertContains(response, 'value="python"', count=2)
        assertContains(response, '<meta name="robots" content="noindex, follow">', html=True)
        assertContains(response, "1 article found.")

    def test_empty_query_gets_a_helpful_page(self, client):
        response = client.get("/search/")
        assertContains(response, "Search the articles")
        assertContains(response, "Type a few words")

    def test_no_results_gets_a_helpful_page(self, client):
        ArticleFactory()
        response = client.get("/search/", {"q": "xylophone"})
        assertContains(response, "No articles match “xylophone”.")
        assertContains(response, "see all articles")

    def test_results_are_paginated_and_keep_the_query(self, client):
        for number in range(12):
            ArticleFactory(title=f"Statistics lesson {number}")
        first = client.get("/search/", {"q": "statistics"})
        assert len(first.context["articles"]) == 10
        assertContains(first, "?q=statistics&amp;page=2")
        second = client.get("/search/", {"q": "statistics", "page": "2"})
        assert len(second.context["articles"]) == 2
        assertContains(second, "(Page 2)")

    @pytest.mark.parametrize(
        "query",
        [
            "x" * 1000,
            "machine\x00learning",
            "🤖 emoji ✨",
            '"unclosed quote',
            "'; DROP TABLE articles_article; --",
            "a & b | !c <-> (d:*",
            "OR AND NOT -",
            "   ",
            "\u202eright-to-left",
        ],
    )
    def test_hostile_queries_get_a_normal_page(self, client, query):
        ArticleFactory(title="Machine learning")
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert "<script" not in response.context["query"]

    def test_q_given_twice_gets_a_normal_page(self, client):
        ArticleFactory(title="Machine learning")
        assert client.get("/search/?q=machine&q=learning").status_code == 200

    def test_query_is_escaped_on_the_page(self, client):
        response = client.get("/search/", {"q": "<script>alert(1)</script>"})
        assertNotContains(response, "<script>alert(1)</script>")
        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_results_page_queries_are_the_same_for_1_or_10_results(self, client):
        """Guards the N+1 on each result card's author and category."""
        ArticleFactory(title="Recommender systems", with_image=True)
        with CaptureQueriesContext(connection) as one:
            assert len(client.get("/search/", {"q": "recommender"}).context["articles"]) == 1
        for _ in range(9):
            ArticleFactory(title="Recommender systems", author=AuthorFactory(), with_image=True)
        with CaptureQueriesContext(connection) as ten:
            assert len(client.get("/search/", {"q": "recommender"}).context["articles"]) == 10
        assert len(one) == len(ten) == 5  # one of them: the footer's site pages

    @on_postgresql
    def test_ranking_puts_title_above_dek_above_body_on_postgresql(self, client):
        ArticleFactory(title="Other", body="We discuss transformers here.", slug="in-body")
        ArticleFactory(title="Another", dek="All about transformers.", slug="in-dek")
        ArticleFactory(title="Transformers explained", slug="in-title")
        assert found(client, "transformers") == [
            "Transformers explained",
            "Another",
            "Other",
        ]

    @on_postgresql
    def test_english_stemming_on_postgresql(self, client):
        ArticleFactory(title="How to become an engineer")
        ArticleFactory(title="Negotiating salaries")
        assert found(client, "engineers") == ["How to become an engineer"]
        assert found(client, "negotiate salary") == ["Negotiating salaries"]

    @on_postgresql
    def test_search_vector_follows_tag_and_author_changes_on_postgresql(self, client):
        article = ArticleFactory(title="Plain")
        assert found(client, "kubernetes") == []
        article.tags.add(TagFactory(name="Kubernetes"))
        assert found(client, "kubernetes") == ["Plain"]
        article.author.name = "Grace Hopper"
        article.author.save()
        assert found(client, "hopper") == ["Plain"]
        article.title = "Renamed"
        article.save()
        assert found(client, "renamed") == ["Renamed"]

    @on_postgresql
    def test_search_vector_is_gin_indexed_on_postgresql(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector_gin'"
            )
            (definition,) = cursor.fetchone()
        assert "USING gin (search_vector)" in definition

    @on_sqlite
    def test_fallback_finds_simple_words_and_ranks_title_first_on_sqlite(self, client):
        ArticleFactory(title="Other", body="We discuss transformers here.")
        ArticleFactory(title="Transformers explained")
        assert found(client, "Transformers") == ["Transformers explained", "Other"]
        assert found(client, "transformers discuss") == ["Other"]


def parse_feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return response, parsed


class TestFeeds:
    @pytest.fixture
    def articles(self):
        author = AuthorFactory(name="Maya Chen", slug="maya")
        category = CategoryFactory(name="Roles", slug="roles")
        tag = TagFactory(name="Python")
        live = ArticleFactory(
            title="Live & <well>", author=author, category=category, tags=[tag], dek="Dek text"
        )
        ArticleFactory(title="Other category")
        ArticleFactory(title="Draft one", draft=True, author=author, category=category)
        ArticleFactory(title="Scheduled one", scheduled=True, author=author, category=category)
        return live

    @pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
    def test_site_feeds_parse_cleanly_with_absolute_links(self, client, articles, url):
        _, parsed = parse_feed(client, url)
        titles = [entry.title for entry in parsed.entries]
        assert titles == ["Other category", "Live & <well>"] or set(titles) == {
            "Other category",
            "Live & <well>",
        }
        entry = next(e for e in parsed.entries if e.title == "Live & <well>")
        assert entry.link == f"https://careers.example/articles/{articles.slug}/"
        assert entry.author == "Maya Chen"
        assert entry.summary == "Dek text"
        assert {tag.term for tag in entry.tags} == {"Roles", "Python"}
        assert entry.published_parsed is not None
        assert parsed.feed.link.startswith("https://careers.example/")

    @pytest.mark.parametrize("url", ["/categories/roles/feed/", "/authors/maya/feed/"])
    def test_category_and_author_feeds_hold_only_their_articles(self, client, articles, url):
        _, parsed = parse_feed(client, url)
        assert [entry.title for entry in parsed.entries] == ["Live & <well>"]

    def test_feeds_hold_the_newest_20(self, client):
        ArticleFactory.create_batch(22)
        _, parsed = parse_feed(client, "/feed/")
        assert len(parsed.entries) == 20

    def test_no_email_address_in_any_feed(self, client, articles, django_user_model):
        user = django_user_model.objects.create_user("maya", email="maya@private.example")
        articles.author.user = user
        articles.author.save()
        for url in ["/feed/", "/feed/atom/", "/categories/roles/feed/", "/authors/maya/feed/"]:
            content = client.get(url).content.decode()
            assert "@" not in content.replace("xmlns:atom", ""), url

    def test_unknown_category_or_author_feed_is_404(self, client):
        assert client.get("/categories/nope/feed/").status_code == 404
        assert client.get("/authors/nope/feed/").status_code == 404

    def test_pages_link_to_their_feeds(self, client, articles):
        home = client.get("/")
        assertContains(home, 'rel="alternate" type="application/rss+xml"')
        assertContains(home, 'href="/feed/atom/"')
        category = client.get("/categories/roles/")
        assertContains(category, 'href="/categories/roles/feed/"', count=2)
        author = client.get("/authors/maya/")
        assertContains(author, 'href="/authors/maya/feed/"', count=2)


SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_published_pages_with_absolute_urls_and_lastmod(client):
    live = ArticleFactory(slug="live")
    draft = ArticleFactory(slug="draft", draft=True)
    ArticleFactory(slug="later", scheduled=True, category=draft.category, author=draft.author)
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    entries = {
        url.find("s:loc", SITEMAP_NS).text: url.find("s:lastmod", SITEMAP_NS)
        for url in root.findall("s:url", SITEMAP_NS)
    }
    base = "https://careers.example"
    assert f"{base}/articles/live/" in entries
    assert entries[f"{base}/articles/live/"].text == live.updated_at.date().isoformat()
    assert f"{base}/" in entries
    assert f"{base}{live.category.get_absolute_url()}" in entries
    assert f"{base}{live.author.get_absolute_url()}" in entries
    assert not any("draft" in url or "later" in url for url in entries)
    assert f"{base}{draft.category.get_absolute_url()}" not in entries


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: https://careers.example/sitemap.xml" in body
    for path in ["/admin/", "/search/", "/preview/"]:
        assert f"Disallow: {path}" in body


def json_ld_blocks(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


class TestPageMetadata:
    def test_article_json_ld_is_valid_field_by_field_even_with_script_in_the_title(self, client):
        title = 'He said "</script><script>alert(1)</script>" — ünïcödé 🤖'
        article = ArticleFactory(title=title, dek="A dek", with_image=True, tags=[TagFactory()])
        FAQItemFactory(article=article, question="Q </script>?", answer="A & B")
        html = client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in html
        blocks = {block["@type"]: block for block in json_ld_blocks(html)}
        posting = blocks["BlogPosting"]
        url = f"https://careers.example/articles/{article.slug}/"
        assert posting["headline"] == title
        assert posting["description"] == "A dek"
        assert posting["datePublished"] == article.published_at.isoformat(timespec="seconds")
        assert posting["dateModified"] == article.updated_at.isoformat(timespec="seconds")
        assert posting["author"]["@type"] == "Person"
        assert posting["author"]["url"] == f"https://careers.example/authors/{article.author.slug}/"
        assert posting["publisher"]["@type"] == "Organization"
        assert posting["publisher"]["logo"]["url"].startswith("https://careers.example/static/")
        assert posting["mainEntityOfPage"]["@id"] == url
        assert posting["wordCount"] == article.word_count
        assert posting["image"]["url"].startswith("https://careers.example/media/")
        assert (posting["image"]["width"], posting["image"]["height"]) == (1200, 675)
        faq = blocks["FAQPage"]["mainEntity"]
        assert faq == [
            {
                "@type": "Question",
                "name": "Q </script>?",
                "acceptedAnswer": {"@type": "Answer", "text": "A & B"},
            }
        ]
        crumbs = blocks["BreadcrumbList"]["itemListElement"]
        assert [crumb["name"] for crumb in crumbs] == ["Home", article.category.name, title]

    def test_no_faq_page_without_faq_items(self, client):
        article = ArticleFactory()
        types = [
            b["@type"]
            for b in json_ld_blocks(client.get(article.get_absolute_url()).content.decode())
        ]
        assert "FAQPage" not in types

    def test_author_page_has_a_profile_page_about_a_person(self, client):
        author = AuthorFactory(name='Ada "</script>" Lovelace', bio="Bio")
        ArticleFactory(author=author)
        blocks = json_ld_blocks(client.get(author.get_absolute_url()).content.decode())
        assert blocks[0]["@type"] == "ProfilePage"
        assert blocks[0]["mainEntity"]["@type"] == "Person"
        assert blocks[0]["mainEntity"]["name"] == 'Ada "</script>" Lovelace'

    def test_canonical_drops_tracking_parameters(self, client):
        ArticleFactory(slug="canon")
        response = client.get("/articles/canon/?utm_source=news&fbclid=abc")
        assertContains(
            response,
            '<link rel="canonical" href="https://careers.example/articles/canon/">',
            html=True,
        )

    def test_canonical_keeps_odd_bytes_of_the_address_encoded(self, client):
        response = client.get("/no such%00page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "\x00" not in html
        assert 'href="https://careers.example/no%20such%00page/"' in html

    def test_paginated_lists_have_their_own_title_and_canonical(self, client):
        ArticleFactory.create_batch(11)
        second = client.get("/articles/?page=2&utm_medium=x")
        assertContains(
            second,
            '<link rel="canonical" href="https://careers.example/articles/?page=2">',
            html=True,
        )
        assertContains(second, "<title>All articles (Page 2) | AI Careers Guide</title>", html=True)
        first = client.get("/articles/")
        assertContains(
            first, '<link rel="canonical" href="https://careers.example/articles/">', html=True
        )

    def test_open_graph_and_twitter_tags_on_an_article(self, client):
        article = ArticleFactory(
            title="OG title", seo_title="SEO title", meta_description="Meta text", with_image=True
        )
        response = client.get(article.get_absolute_url())
        assertContains(response, "<title>SEO title | AI Careers Guide</title>", html=True)
        assertContains(response, '<meta name="description" content="Meta text">', html=True)
        assertContains(response, '<meta property="og:type" content="article">', html=True)
        assertContains(response, '<meta property="og:title" content="SEO title">', html=True)
        assertContains(response, '<meta property="og:image:width" content="1200">', html=True)
        assertContains(response, '<meta property="og:image:height" content="675">', html=True)
        assertContains(
            response, '<meta name="twitter:card" content="summary_large_image">', html=True
        )
        image = re.search(r'<meta property="og:image" content="([^"]+)"', response.content.decode())
        assert image.group(1).startswith("https://careers.example/media/renditions/")

    def test_every_public_page_has_a_unique_title_and_lang(self, client):
        article = ArticleFactory(tags=[TagFactory(slug="t")])
        urls = [
            "/",
            "/articles/",
            article.get_absolute_url(),
            article.category.get_absolute_url(),
            article.author.get_absolute_url(),
            "/tags/t/",
            "/search/?q=x",
        ]
        titles = []
        for url in urls:
            html = client.get(url).content.decode()
            assert '<html lang="en">' in html
            titles.append(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
        assert len(set(titles)) == len(urls), titles

    def test_description_falls_back_to_the_dek(self, client):
        article = ArticleFactory(dek="The dek of it")
        assertContains(
            client.get(article.get_absolute_url()),
            '<meta name="description" content="The dek of it">',
            html=True,
        )


def test_search_finds_nothing_unpublished_after_unpublish(client):
    article = ArticleFactory(title="Vanishing act")
    assert found(client, "vanishing") == ["Vanishing act"]
    article.status = Article.Status.DRAFT  # as an editor unpublishes it, in admin
    article.save()
    assert found(client, "vanishing") == []
