"""Search as a reader types it, the same on SQLite and PostgreSQL: word forms find the same
articles, a query of nothing searchable finds none, and the page says each thing once."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from articles.search import search_articles, search_terms

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    return {
        "one": ArticleFactory(title="A portfolio that gets interviews", body="Pick one project."),
        "many": ArticleFactory(title="Three side projects", body="Our portfolios reviewed."),
        "pay": ArticleFactory(title="What ML engineers earn", body="The salary of a junior."),
        "other": ArticleFactory(title="Interview loops", body="Salaries are not discussed."),
    }


def found(query: str) -> set[int]:
    return set(search_articles(query).values_list("pk", flat=True))


def test_singular_and_plural_find_the_same_articles(articles):
    assert found("portfolio") == found("portfolios") == {articles["one"].pk, articles["many"].pk}
    assert found("salary") == found("salaries") == {articles["pay"].pk, articles["other"].pk}


@pytest.mark.parametrize("query", ["'", "a", "the", "a the", "' \" -", "of and"])
def test_a_query_with_nothing_to_look_for_finds_nothing(client, articles, query):
    assert found(query) == set()
    response = client.get("/search/", {"q": query})
    assertContains(response, "No articles match")


def test_no_results_are_said_once(client, articles):
    response = client.get("/search/", {"q": "xylophone"})

    assertContains(response, '<p class="lead" role="status">No articles match “xylophone”.</p>')
    assertNotContains(response, "0 articles found")


def test_results_are_counted(client, articles):
    assertContains(client.get("/search/", {"q": "portfolios"}), "2 articles found.")


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("Portfolios", ["portfolio"]),
        ("salaries salary", ["salar"]),
        ("an ML engineer's path", ["ml", "engin", "path"]),
        ("AI", ["ai"]),
    ],
)
def test_search_terms_are_the_shared_start_of_each_word_and_its_stem(query, terms):
    assert search_terms(query) == terms
