"""Revisions (django-reversion): every save keeps who, when and what the page shows; any two
compare side by side with a line diff of the body; a restore becomes a new revision."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Version

from articles.models import Article
from careers_site.page_cache import STATUS_HEADER

from .factories import ArticleFactory, FAQItemFactory, TagFactory, staff_member
from .test_workflow import change_url, faq_form_data, form_data, logged_in

pytestmark = pytest.mark.django_db


def history_url(article) -> str:
    return reverse("admin:articles_article_history", args=[article.pk])


def compare_url(article, old, new) -> str:
    url = reverse("admin:articles_article_compare", args=[article.pk])
    return f"{url}?old={old.pk}&new={new.pk}"


def restore_url(article, version) -> str:
    return reverse("admin:articles_article_restore", args=[article.pk, version.pk])


@pytest.fixture
def editor():
    return staff_member("Editors", "edith")


@pytest.fixture
def edited(editor):
    """An article saved twice in admin: a first body, then a second with another title."""
    article = ArticleFactory(body="## Start\n\nThe first line.\n\nA line that stays.", tags=[])
    FAQItemFactory(article=article, question="Is it hard?", answer="At first.")
    client = logged_in(editor)
    faq = article.faqs.get()
    faq_data = faq_form_data(faq)
    assert client.post(change_url(article), form_data(article, **faq_data)).status_code == 302
    second = form_data(
        article,
        title="A better title",
        body="## Start\n\nThe second line.\n\nA line that stays.",
        tags=[TagFactory(name="Careers").pk],
        **{**faq_data, "faqs-0-answer": "Less than you think."},
    )
    assert client.post(change_url(article), second).status_code == 302
    article.refresh_from_db()
    return client, article


def test_every_save_keeps_a_revision_with_who_and_what(edited, editor):
    _, article = edited
    newest, oldest = Version.objects.get_for_object(article)
    assert newest.revision.user == editor
    assert newest.field_dict["title"] == "A better title"
    assert oldest.field_dict["title"] != "A better title"
    assert "title" in newest.revision.get_comment()
    assert newest.revision.version_set.filter(content_type__model="faqitem").exists()


def test_workflow_steps_are_revisions_too(editor):
    draft = ArticleFactory(draft=True)
    logged_in(editor).post(change_url(draft), form_data(draft, _publish_now="1"))
    (version,) = Version.objects.get_for_object(draft)
    assert version.field_dict["status"] == "published"
    assert version.revision.get_comment() == "Published."


def test_the_history_lists_the_revisions(edited):
    client, article = edited
    page = client.get(history_url(article))
    assertContains(page, "<td>edith</td>", count=2)
    assertContains(page, "(current)")
    assertContains(page, 'type="submit" form="restore-', count=1)


def test_two_revisions_compare_side_by_side_with_a_body_diff(edited):
    client, article = edited
    newest, oldest = Version.objects.get_for_object(article)
    page = client.get(compare_url(article, newest, oldest))  # either order: older on the left
    assert page.status_code == 200
    html = page.content.decode()
    assert '<td class="diff-old">The <del>first</del> line.</td>' in html  # words, not lines
    assert '<td class="diff-new">The <ins>second</ins> line.</td>' in html
    assert '<td class="diff-new">A line that stays.</td>' in html  # the context around it
    assertContains(page, "A better title")
    text = re.sub(r"<[^>]+>", "", html)
    assert "A: Less than you think." in text  # the FAQ is compared too
    assertContains(page, "Careers")  # and the tags, by name
    assert html.index("Older:") < html.index("Newer:")


def test_comparing_escapes_what_was_written(editor):
    article = ArticleFactory(body="Safe.")
    client = logged_in(editor)
    client.post(change_url(article), form_data(article))
    client.post(change_url(article), form_data(article, body="<script>alert(1)</script>"))
    newest, oldest = Version.objects.get_for_object(article)
    page = client.get(compare_url(article, oldest, newest))
    assertNotContains(page, "<script>alert(1)")
    assertContains(page, "&lt;script&gt;")


def test_a_restore_brings_the_content_back_as_a_new_revision(edited, editor):
    client, article = edited
    reader = Client()
    reader.get("/articles/")
    assert reader.get("/articles/")[STATUS_HEADER] == "hit"
    newest, oldest = Version.objects.get_for_object(article)

    response = client.post(restore_url(article, oldest))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == oldest.field_dict["title"]
    assert "The first line." in article.body_html
    assert list(article.tags.all()) == []
    assert article.faqs.get().answer == "At first."
    assert article.is_live  # a restore does not move the article in or out of the site
    restored = Version.objects.get_for_object(article).first()
    assert restored.revision.get_comment().startswith("Restored the revision of")
    assert restored.revision.user == editor
    assert Version.objects.get_for_object(article).count() == 3
    assertContains(reader.get("/articles/"), oldest.field_dict["title"])  # its card dropped


@pytest.mark.parametrize("role, answer", [("writer", 403), ("other_writer", 404)])
def test_a_writer_restores_only_what_they_may_edit(edited, role, answer):
    _, article = edited
    writer = staff_member("Writers", "wendy")
    if role == "writer":  # their own article, but published: with the editors now
        Article.objects.filter(pk=article.pk).update(author=writer.author_profile)
    else:
        staff_member("Writers", "walter")
        writer = staff_member("Writers", "wilma")
    client = logged_in(writer)
    newest, oldest = Version.objects.get_for_object(article)
    assert client.post(restore_url(article, oldest)).status_code == answer
    article.refresh_from_db()
    assert article.title == "A better title"


def test_a_restore_needs_a_post(edited):
    client, article = edited
    _, oldest = Version.objects.get_for_object(article)
    assert client.get(restore_url(article, oldest)).status_code == 404


def test_a_browser_s_line_ends_are_no_change(editor):
    article = ArticleFactory(body="## One\n\nTwo lines\nof text.")
    logged_in(editor).post(
        change_url(article), form_data(article, body=article.body.replace("\n", "\r\n"))
    )
    (version,) = Version.objects.get_for_object(article)
    assert version.revision.get_comment() == "Saved, unchanged."
    article.refresh_from_db()
    assert article.body == "## One\n\nTwo lines\nof text."
