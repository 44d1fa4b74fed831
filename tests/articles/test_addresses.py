"""Addresses that survive: a renamed article's old address is a permanent redirect to its
address now (no chain, no loop), and `[text](article:slug)` links keep leading to the article."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from pytest_django.asserts import assertContains, assertRedirects

from articles.models import Article, OldSlug
from careers_site.page_cache import STATUS_HEADER

from .factories import ArticleFactory, staff_member
from .test_workflow import change_url, form_data, logged_in

pytestmark = pytest.mark.django_db


def rename(article: Article, slug: str) -> Article:
    article = Article.objects.get(pk=article.pk)  # as an editor's form loads it
    article.slug = slug
    article.save()
    return article


def test_a_renamed_article_answers_its_old_address_with_a_permanent_redirect(client):
    article = ArticleFactory(slug="ml-salaries")
    rename(article, "ml-salaries-2026")
    response = client.get("/articles/ml-salaries/")
    assertRedirects(response, "/articles/ml-salaries-2026/", status_code=301)


def test_renamed_twice_every_old_address_leads_straight_to_the_new_one(client):
    article = ArticleFactory(slug="first")
    rename(rename(article, "second"), "third")
    for old in ("first", "second"):
        response = client.get(f"/articles/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/articles/third/")


def test_renamed_back_there_is_no_loop(client):
    article = ArticleFactory(slug="original")
    rename(rename(article, "changed"), "original")
    assert client.get("/articles/original/").status_code == 200
    assertRedirects(client.get("/articles/changed/"), "/articles/original/", status_code=301)
    assert list(OldSlug.objects.values_list("slug", flat=True)) == ["changed"]


def test_another_article_taking_the_old_address_is_served_there(client):
    rename(ArticleFactory(slug="shared-name"), "moved-away")
    newcomer = ArticleFactory(slug="shared-name", title="The newcomer")
    assertContains(client.get("/articles/shared-name/"), "The newcomer")
    assert not OldSlug.objects.filter(slug="shared-name").exists()
    assert newcomer.is_live


def test_the_old_address_of_an_unpublished_article_is_not_found(client):
    article = rename(ArticleFactory(slug="gone"), "gone-now")
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get("/articles/gone/").status_code == 404


def test_a_cached_page_at_the_old_address_is_dropped_by_the_rename():
    reader = Client()
    article = ArticleFactory(slug="cached-name")
    reader.get("/articles/cached-name/")
    assert reader.get("/articles/cached-name/")[STATUS_HEADER] == "hit"
    rename(article, "fresh-name")
    assert reader.get("/articles/cached-name/").status_code == 301


def test_an_old_address_is_one_row_by_constraint():
    article = ArticleFactory()
    OldSlug.objects.create(slug="taken", article=article)
    with pytest.raises(IntegrityError), transaction.atomic():
        OldSlug.objects.create(slug="taken", article=ArticleFactory())


def test_renaming_in_admin_keeps_the_old_address(client):
    editor = staff_member("Editors", "edith")
    article = ArticleFactory(slug="before-admin")
    response = logged_in(editor).post(change_url(article), form_data(article, slug="after-admin"))
    assert response.status_code == 302
    assertRedirects(client.get("/articles/before-admin/"), "/articles/after-admin/", 301)


def test_article_links_resolve_and_keep_working_after_a_rename(client):
    target = ArticleFactory(slug="interview-loop", title="The interview loop")
    linking = ArticleFactory(body="Read [the loop](article:interview-loop#coding) first.")
    assert '<a href="/articles/interview-loop/#coding"' in linking.body_html

    rename(target, "ml-interview-loop")
    response = client.get("/articles/interview-loop/", follow=True)
    assert response.redirect_chain == [("/articles/ml-interview-loop/", 301)]
    assertContains(response, "The interview loop")

    # Written with the old slug, a new link goes to the address now, without the detour.
    again = ArticleFactory(body="See [it](article:interview-loop).")
    assert '<a href="/articles/ml-interview-loop/"' in again.body_html


def test_a_link_to_no_article_is_refused_at_the_body_field():
    editor = staff_member("Editors", "edith")
    article = ArticleFactory()
    response = logged_in(editor).post(
        change_url(article), form_data(article, body="See [this](article:no-such-thing).")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "No article has the address article:no-such-thing: check the slug."
    ]


def test_an_unknown_article_link_saved_elsewhere_keeps_its_text_unlinked():
    article = ArticleFactory(body="See [this](article:no-such-thing).")
    assert article.body_html == '<p>See <a rel="noopener noreferrer">this</a>.</p>'
