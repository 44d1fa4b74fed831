import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.related import related_lists_refresh

from .factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    FAQItemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    tag = TagFactory(name="Python", slug="python")
    return ArticleFactory(
        title="What an ML engineer does",
        slug="ml-engineer",
        tags=[tag],
        author=AuthorFactory(name="Maya Chen", slug="maya-chen", bio="Mentors career changers."),
        category=CategoryFactory(name="Roles", slug="roles"),
    )


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/articles/",
        "/articles/ml-engineer/",
        "/categories/roles/",
        "/tags/python/",
        "/authors/maya-chen/",
    ],
)
def test_public_pages_show_the_published_article(client, published, url):
    response = client.get(url)
    assert response.status_code == 200
    assertContains(response, "What an ML engineer does")


def test_article_page_shows_everything_a_reader_expects(client, published):
    FAQItemFactory(article=published, question="Do I need a PhD?", answer="No.\n\nMost don't.")
    ArticleFactory(title="A related one", category=published.category)
    response = client.get(published.get_absolute_url())
    assertContains(response, '<a href="/">Home</a>', html=True)
    assertContains(response, "Maya Chen")
    assertContains(response, '<span class="reading-time">1 min read</span>', html=True)
    assertContains(response, '<span class="view-count"></span>', html=True)  # too few to show
    assertContains(response, "<summary>Do I need a PhD?</summary>", html=True)
    assertContains(response, "<p>No.</p>", html=True)
    assertContains(response, "About the author")
    assertContains(response, "Mentors career changers.")
    assertContains(response, "A related one")
    assertContains(response, '<a class="tag-pill" href="/tags/python/">Python</a>', html=True)
    assertContains(response, 'href="#what-the-job-is"')
    assertContains(response, "https%3A%2F%2Fcareers.example%2Farticles%2Fml-engineer%2F")
    assertContains(response, 'data-view-beacon="/articles/ml-engineer/view/"')


def test_view_count_label(client):
    article = ArticleFactory(view_count=1111)
    assertContains(client.get(article.get_absolute_url()), '<span class="view-count">1,111 Views')


def test_a_small_view_count_is_not_shown(client):
    """Below 100 views the count tells a reader nothing: the page shows none."""
    article = ArticleFactory(view_count=99)
    assertContains(client.get(article.get_absolute_url()), '<span class="view-count-item" hidden>')
    assertNotContains(client.get(article.get_absolute_url()), "99 Views")


def test_user_written_text_is_escaped(client):
    article = ArticleFactory(title="<b>Bold</b> & <script>x()</script>", dek="<i>dek</i>")
    FAQItemFactory(article=article, question="<script>q()</script>", answer="<img src=x>")
    response = client.get(article.get_absolute_url())
    content = response.content.decode()
    assert "<script>x()</script>" not in content
    assert "<script>q()</script>" not in content
    assert "<img src=x>" not in content
    assertContains(response, "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;")


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_unpublished_articles_are_404_and_absent_from_every_list(client, state):
    article = ArticleFactory(title="Secret plans", tags=[TagFactory(slug="t")], **{state: True})
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.post(f"{article.get_absolute_url()}view/").status_code == 404
    lists = ["/", "/articles/", "/tags/t/", "/search/?q=Secret", "/feed/", "/feed/atom/"]
    lists += [article.category.get_absolute_url(), article.author.get_absolute_url()]
    for url in [*lists, "/sitemap.xml"]:
        assertNotContains(client.get(url), "Secret plans")


def test_updated_date_is_shown_only_when_it_differs(client):
    article = ArticleFactory(published_at=timezone.now())
    assertNotContains(client.get(article.get_absolute_url()), "Updated")
    article.published_at = article.published_at.replace(year=article.published_at.year - 1)
    article.save()
    assertContains(client.get(article.get_absolute_url()), "Updated")


@pytest.mark.parametrize("page", ["0", "-1", "3", "abc", "1.5", "99999999999999999999"])
def test_bad_page_numbers_are_404_never_500(client, settings, page):
    ArticleFactory.create_batch(3)
    response = client.get("/articles/", {"page": page})
    assert response.status_code == 404
    assertContains(response, "We couldn’t find that page", status_code=404)


def test_pagination_pages_and_last(client):
    ArticleFactory.create_batch(12)
    first = client.get("/articles/")
    assert len(first.context["articles"]) == 10
    assertContains(first, 'rel="next"')
    last = client.get("/articles/", {"page": "last"})
    assert len(last.context["articles"]) == 2
    assertContains(last, "(Page 2)")
    assert client.get("/articles/", {"page": "2"}).status_code == 200


def test_unknown_slugs_are_404(client):
    for url in ["/articles/nope/", "/categories/nope/", "/tags/nope/", "/authors/nope/"]:
        assert client.get(url).status_code == 404


def test_server_error_page_is_friendly(client, settings):
    client.raise_request_exception = False
    from django.urls import path

    from careers_site import urls as project_urls

    def boom(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("boom/", boom), *project_urls.urlpatterns]}
    )
    response = client.get("/boom/")
    assert response.status_code == 500
    assertContains(response, "Something went wrong on our side", status_code=500)


class TestPreview:
    def test_staff_sees_a_draft_with_banner_and_noindex(self, client, staff_user):
        article = ArticleFactory(title="Work in progress", draft=True)
        client.force_login(staff_user)
        response = client.get(article.get_preview_url())
        assertContains(response, "Work in progress")
        assertContains(response, "<strong>Preview</strong>", html=True)
        assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assertNotContains(response, "data-view-beacon")

    def test_anonymous_visitor_is_sent_to_login(self, client):
        article = ArticleFactory(draft=True)
        response = client.get(article.get_preview_url())
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_staff_without_article_permission_gets_404(self, client, django_user_model):
        user = django_user_model.objects.create_user("intern", password="pw", is_staff=True)
        client.force_login(user)
        assert client.get(ArticleFactory(draft=True).get_preview_url()).status_code == 404

    def test_logged_in_reader_is_not_let_in(self, client, django_user_model):
        client.force_login(django_user_model.objects.create_user("reader", password="pw"))
        response = client.get(ArticleFactory(draft=True).get_preview_url())
        assert response.status_code == 302


def query_count(client, url) -> int:
    """Queries to render the page, with the page cache off (a cached page costs
    none: tests/articles/test_page_cache.py)."""
    with (
        override_settings(PAGE_CACHE_SECONDS=0),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(url).status_code == 200
    return len(queries)


def test_article_page_queries_do_not_grow_with_tags_faqs_or_related(client):
    """Guards the N+1 on tags, FAQ items, and the author/category of related article cards
    (related articles: their ranking read with the article, their cards in one query)."""
    small_category, big_category = CategoryFactory(), CategoryFactory()
    small_tag = TagFactory()
    small = ArticleFactory(category=small_category, tags=[small_tag], with_image=True)
    FAQItemFactory(article=small)
    # Three related articles through the tag (fewer: one more query, for the category's newest).
    ArticleFactory.create_batch(3, category=small_category, tags=[small_tag])

    tags = TagFactory.create_batch(30)
    big = ArticleFactory(category=big_category, tags=tags, with_image=True)
    FAQItemFactory.create_batch(30, article=big)
    for _ in range(30):
        ArticleFactory(category=big_category, tags=tags[:3], author=AuthorFactory())
    related_lists_refresh(article_ids=[small.pk, big.pk])

    assert query_count(client, small.get_absolute_url()) == query_count(
        client, big.get_absolute_url()
    )
    assert query_count(client, big.get_absolute_url()) == 7  # one: the footer's site pages


@pytest.mark.parametrize(
    ("url", "expected"),
    [  # each counts one for the footer's site pages
        ("/", 6),
        ("/articles/", 5),
        ("/categories/{category}/", 6),
        ("/tags/{tag}/", 6),
        ("/authors/{author}/", 6),
    ],
)
def test_list_pages_queries_do_not_grow_with_articles_per_page(client, url, expected):
    """Guards the N+1 on each card's author and category."""
    category, tag, author = CategoryFactory(), TagFactory(), AuthorFactory()
    url = url.format(category=category.slug, tag=tag.slug, author=author.slug)
    # One article in each of the home page's sections (featured, latest).
    ArticleFactory(category=category, tags=[tag], author=author, is_featured=True)
    ArticleFactory(category=category, tags=[tag], author=author)
    one = query_count(client, url)
    for index in range(12):
        ArticleFactory(
            category=category, tags=[tag], author=author, is_featured=index < 3, with_image=True
        )
    assert query_count(client, url) == one == expected
