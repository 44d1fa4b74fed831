from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from articles.services import article_publish, article_unpublish

from .factories import ArticleFactory, FAQItemFactory

pytestmark = pytest.mark.django_db


def words(count: int) -> str:
    return " ".join(["word"] * count)


@pytest.mark.parametrize(
    ("word_count", "minutes"),
    [(0, 1), (10, 1), (230, 1), (460, 2), (2000, 9), (2070, 9), (2100, 9), (2200, 10)],
)
def test_reading_time_is_words_over_230_rounded_and_at_least_one(word_count, minutes):
    article = ArticleFactory(body=words(word_count))
    assert article.reading_time == minutes


def test_faq_words_count_towards_reading_time_and_follow_changes():
    article = ArticleFactory(body=words(230))
    assert article.reading_time == 1
    item = FAQItemFactory(article=article, question="Why?", answer=words(459))
    article.refresh_from_db()
    assert article.reading_time == 3  # 230 + 1 + 459 = 690 words
    item.delete()
    article.refresh_from_db()
    assert article.reading_time == 1


def test_body_markdown_is_rendered_on_save_with_a_table_of_contents():
    article = ArticleFactory(body="Intro\n\n## Skills you need\n\n### Python\n\n## Salaries\n")
    assert '<h2 id="skills-you-need">Skills you need</h2>' in article.body_html
    assert [entry["id"] for entry in article.table_of_contents] == [
        "skills-you-need",
        "python",
        "salaries",
    ]
    assert article.table_of_contents[1]["level"] == 3


def test_published_queryset_excludes_drafts_and_scheduled_articles():
    live = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    assert list(Article.objects.published()) == [live]


def test_scheduled_article_goes_live_by_itself_when_its_time_comes():
    article = ArticleFactory(published_at=timezone.now() + timedelta(seconds=1))
    assert not Article.objects.published().filter(pk=article.pk).exists()
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_published_article_without_date_fails_full_clean():
    article = ArticleFactory.build(status=Article.Status.PUBLISHED, published_at=None)
    with pytest.raises(ValidationError, match="needs a publication date"):
        article.full_clean(exclude=["author", "category"])


def test_published_article_without_date_is_refused_by_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(published_at=None)


def test_image_without_alt_text_fails_full_clean():
    article = ArticleFactory(with_image=True)
    article.featured_image_alt = ""
    with pytest.raises(ValidationError, match="alt text"):
        article.full_clean()


def test_image_without_alt_text_is_refused_by_the_database():
    article = ArticleFactory(with_image=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(featured_image_alt="")


def test_duplicate_slug_is_refused_by_full_clean_and_by_the_database():
    ArticleFactory(slug="same")
    with pytest.raises(ValidationError):
        ArticleFactory.build(slug="same").full_clean(exclude=["author", "category"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(slug="same")


def test_publish_sets_a_date_and_keeps_a_future_one():
    draft = ArticleFactory(draft=True)
    before = timezone.now().replace(microsecond=0)
    article_publish(article=draft)
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at >= before
    assert draft.published_at.microsecond == 0  # to the second, as the admin form shows it
    future = timezone.now() + timedelta(days=3)
    scheduled = ArticleFactory(draft=True, published_at=future)
    article_publish(article=scheduled)
    assert scheduled.published_at == future
    assert scheduled.is_scheduled


def test_unpublish_moves_back_to_draft():
    article = ArticleFactory()
    article_unpublish(article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_updated_flag_only_when_edited_on_a_later_day():
    article = ArticleFactory(published_at=timezone.now())
    assert not article.was_updated
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(days=3))
    article.refresh_from_db()
    assert article.was_updated


def test_seo_overrides_fall_back_to_title_and_dek():
    article = ArticleFactory.build(title="Title", dek="Dek")
    assert (article.page_title, article.description) == ("Title", "Dek")
    article.seo_title, article.meta_description = "SEO", "Meta"
    assert (article.page_title, article.description) == ("SEO", "Meta")
