from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.demo import demo_articles
from articles.models import Article, ArticleView, Author, Category, FAQItem
from articles.services import article_view_record

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    call_command("seed_demo", verbosity=0)


def test_seed_demo_loads_the_promised_content(seeded):
    published = Article.objects.published()
    assert published.count() >= 8
    assert Category.objects.count() >= 3
    assert Author.objects.exclude(bio="").count() >= 2
    assert Article.objects.filter(faqs__isnull=False).distinct().count() >= 3
    for article in published:
        assert article.word_count >= 600, article.slug
        assert article.body_html.count("<h2") >= 2, article.slug
        assert "<ul>" in article.body_html or "<ol>" in article.body_html, article.slug
        assert len(article.featured_image_renditions["sizes"]) == 3, article.slug
        assert article.featured_image_alt
        assert not article.was_updated
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert Article.objects.exclude(pk__in=published).filter(status="published").exists()


def test_seed_demo_is_idempotent(seeded):
    counts = (Article.objects.count(), FAQItem.objects.count(), Category.objects.count())
    images = sorted(Article.objects.values_list("featured_image", flat=True))
    call_command("seed_demo", verbosity=0)
    assert (Article.objects.count(), FAQItem.objects.count(), Category.objects.count()) == counts
    assert sorted(Article.objects.values_list("featured_image", flat=True)) == images


def test_seed_demo_admin_password_creates_a_superuser(django_user_model):
    call_command("seed_demo", admin_password="s3cret-pass", verbosity=0)
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("s3cret-pass")


def test_seed_demo_admin_password_creates_a_writer_and_an_editor(django_user_model):
    call_command("seed_demo", admin_password="s3cret-pass", verbosity=0)
    writer = django_user_model.objects.get(username="writer")
    editor = django_user_model.objects.get(username="editor")
    assert writer.check_password("s3cret-pass") and not writer.is_superuser
    assert list(writer.groups.values_list("name", flat=True)) == ["Writers"]
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert writer.author_profile.articles.exists()
    assert editor.has_perm("articles.publish_article")
    assert not writer.has_perm("articles.publish_article")


def test_demo_articles_are_all_parsed():
    articles = demo_articles()
    assert len(articles) >= 8
    assert all(article.title and article.body and article.tags for article in articles)


def test_prune_article_views_forgets_old_visitor_keys():
    article = ArticleFactory()
    article_view_record(
        article_id=article.pk, visitor="old", now=timezone.now() - timedelta(days=2)
    )
    article_view_record(article_id=article.pk, visitor="new")
    call_command("prune_article_views", verbosity=0)
    assert list(ArticleView.objects.values_list("visitor", flat=True)) == ["new"]
