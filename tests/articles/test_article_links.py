"""The toolbar's picker of links to other articles: published articles found by title, through an
admin-only endpoint."""

import pytest
from django.urls import reverse

from .factories import ArticleFactory, staff_member
from .test_workflow import client_as, logged_in

pytestmark = pytest.mark.django_db

LINKS = reverse("admin:articles_article_links")


@pytest.mark.parametrize(
    "role, answer",
    [("anonymous", 302), ("staff_without_group", 403), ("writer", 200), ("editor", 200)],
)
def test_who_may_search_articles_to_link(django_user_model, role, answer):
    assert client_as(role, django_user_model).get(LINKS, {"q": "x"}).status_code == answer


def test_only_published_articles_whose_title_has_every_word_are_found():
    ArticleFactory(title="Become a data scientist", slug="data-scientist")
    ArticleFactory(title="Data engineer salaries", slug="data-engineer")
    ArticleFactory(title="Data scientist, the draft", slug="draft-one", draft=True)
    ArticleFactory(title="A scheduled data scientist", slug="later", scheduled=True)
    client = logged_in(staff_member("Writers", "wendy"))
    answer = client.get(LINKS, {"q": "SCIENTIST data"})
    assert answer["Cache-Control"].count("no-store") == 1
    assert answer.json() == {
        "articles": [{"title": "Become a data scientist", "slug": "data-scientist"}]
    }
    titles = [found["title"] for found in client.get(LINKS).json()["articles"]]
    assert titles == ["Become a data scientist", "Data engineer salaries"]


def test_the_search_shows_at_most_ten(django_assert_max_num_queries):
    """Guards against a query per article found: titles and slugs come in one."""
    for number in range(12):
        ArticleFactory(title=f"Guide {number:02}")
    client = logged_in(staff_member("Editors", "edith"))
    with django_assert_max_num_queries(8):
        found = client.get(LINKS, {"q": "guide"}).json()["articles"]
    assert [article["title"] for article in found] == [f"Guide {n:02}" for n in range(10)]
