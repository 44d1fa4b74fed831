import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.articles.factories import ArticleFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """These tests count what rendering costs: the page cache is off."""
    settings.PAGE_CACHE_SECONDS = 0


def add_threads(article, count: int) -> None:
    for index in range(count):
        if index % 3 == 0:
            parent = CommentFactory(article=article)
        else:
            parent = CommentFactory(parent=parent)


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_article_page_queries_do_not_grow_with_comments(client, django_assert_num_queries):
    """Guards the N+1 on comment replies, authors and counts: 1 or 100 comments, same queries."""
    one = ArticleFactory()
    many = ArticleFactory()
    add_threads(one, 1)
    add_threads(many, 100)
    client.get(one.get_absolute_url())  # warm the session and caches

    queries_one = count_queries(client, one.get_absolute_url())

    with django_assert_num_queries(queries_one):
        response = client.get(many.get_absolute_url())
    assert response.content.decode().count('class="comment depth-') == 100


def test_article_page_reads_its_stored_discussion_in_one_query(client):
    """The threads (with the header's count) are one stored row, not a row per comment; related
    cards show no count, so a comment on one article does not change the pages of all the
    articles it is related to."""
    article = ArticleFactory()
    related = ArticleFactory(category=article.category)
    add_threads(article, 10)
    add_threads(related, 3)

    with CaptureQueriesContext(connection) as context:
        response = client.get(article.get_absolute_url())

    assert related.title in response.content.decode()
    comment_queries = [q["sql"] for q in context.captured_queries if 'FROM "comments_' in q["sql"]]
    assert len(comment_queries) == 1, comment_queries
    assert 'FROM "comments_discussion"' in comment_queries[0]
    assert response.content.decode().count('class="comment depth-') == 10
    assert 'href="' + related.get_absolute_url() + '#comments"' not in response.content.decode()


def test_list_comment_counts_come_in_one_query(client):
    """Guards the N+1 on comment counts in article lists."""
    for _ in range(2):
        CommentFactory(article=ArticleFactory())
    queries_two = count_queries(client, reverse("articles:list"))
    for _ in range(8):
        CommentFactory(article=ArticleFactory())
    assert count_queries(client, reverse("articles:list")) == queries_two
