"""Related articles, ranked when a list they are ranked from changes (articles/related.py) and
read with the article by its page."""

import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, RelatedList
from articles.publication import NEXT_PUBLICATION_KEY, forget_reading
from articles.related import related_lists_refresh

from .factories import ArticleFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    settings.PAGE_CACHE_SECONDS = 0


def ranking(article) -> list[int]:
    return RelatedList.objects.get(article=article).article_ids


def related_section(client, article) -> str:
    page = client.get(article.get_absolute_url()).content.decode()
    return page.split('id="related-heading"', 1)[1] if 'id="related-heading"' in page else ""


def test_the_page_shows_the_stored_ranking(client):
    category = CategoryFactory()
    article = ArticleFactory(category=category)
    shown = ArticleFactory(title="Ranked and stored", category=CategoryFactory())
    related_lists_refresh(article_ids=[article.pk])
    RelatedList.objects.filter(article=article).update(article_ids=[shown.pk])
    assert "Ranked and stored" in related_section(client, article)


def test_an_article_never_ranked_is_ranked_for_its_page(client):
    article = ArticleFactory()
    ArticleFactory(title="Same category", category=article.category)
    assert not RelatedList.objects.filter(article=article).exists()
    assert "Same category" in related_section(client, article)


def test_shared_tags_rank_first_then_the_newest_of_the_category():
    tag, other_tag = TagFactory(), TagFactory()
    article = ArticleFactory(tags=[tag, other_tag])
    both = ArticleFactory(tags=[tag, other_tag], published_at=timezone.now().replace(year=2020))
    one = ArticleFactory(tags=[tag])
    newest_in_category = ArticleFactory(category=article.category)
    ArticleFactory(category=article.category, published_at=timezone.now().replace(year=2019))
    related_lists_refresh(article_ids=[article.pk])
    assert ranking(article) == [both.pk, one.pk, newest_in_category.pk]


def test_an_article_published_in_the_category_is_ranked_into_the_others(
    client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    related_lists_refresh(article_ids=[article.pk])
    assert ranking(article) == []
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = ArticleFactory(title="The newcomer", category=article.category)
    assert ranking(article) == [newcomer.pk]
    assert "The newcomer" in related_section(client, article)


def test_an_unpublished_article_leaves_the_others_rankings(
    client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    leaving = ArticleFactory(title="Soon a draft", category=article.category)
    related_lists_refresh(article_ids=[article.pk])
    assert ranking(article) == [leaving.pk]
    with django_capture_on_commit_callbacks(execute=True):
        leaving.status = Article.Status.DRAFT
        leaving.save()
    assert ranking(article) == []
    assert "Soon a draft" not in related_section(client, article)


def test_a_tag_added_or_removed_ranks_both_sides_again(django_capture_on_commit_callbacks):
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    elsewhere = ArticleFactory(category=CategoryFactory())
    related_lists_refresh(article_ids=[article.pk, elsewhere.pk])
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere.tags.add(tag)
    assert ranking(article) == [elsewhere.pk]
    assert ranking(elsewhere) == [article.pk]
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere.tags.remove(tag)
    assert ranking(article) == []
    assert ranking(elsewhere) == []


def test_a_deleted_tag_ranks_its_articles_again(django_capture_on_commit_callbacks):
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    other = ArticleFactory(tags=[tag], category=CategoryFactory())
    related_lists_refresh(article_ids=[article.pk, other.pk])
    assert ranking(article) == [other.pk]
    with django_capture_on_commit_callbacks(execute=True):
        tag.delete()
    assert ranking(article) == []


def test_a_deleted_article_leaves_the_others_rankings(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    gone = ArticleFactory(category=article.category)
    related_lists_refresh(article_ids=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()
    assert ranking(article) == []


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_article_is_ranked_in_when_it_goes_live(client):
    article = ArticleFactory()
    scheduled = ArticleFactory(scheduled=True, title="Live on time", category=article.category)
    related_lists_refresh(article_ids=[article.pk])
    assert ranking(article) == []

    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    cache.set(NEXT_PUBLICATION_KEY, time.time() - 1)
    forget_reading()
    # The first request after its time ranks it in, before that request's page is made.
    assert "Live on time" in related_section(client, article)
    assert ranking(article) == [scheduled.pk]
