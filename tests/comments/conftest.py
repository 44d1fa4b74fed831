import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.articles.factories import ArticleFactory

from .factories import CommentFactory, comment_form_data


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The rate limit counts in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def article(db):
    return ArticleFactory(title="How to become an ML engineer")


@pytest.fixture
def known_author(article):
    """An e-mail address with an earlier approved comment: its next comments are approved."""
    return CommentFactory(article=article, author_email="ada@example.com", author_name="Ada")


@pytest.fixture
def post_comment(client):
    def post(article, *, http_client=None, **overrides):
        url = reverse("comments:create", kwargs={"slug": article.slug})
        return (http_client or client).post(url, comment_form_data(**overrides))

    return post
