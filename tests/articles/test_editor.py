"""The body editor's live preview (the site's own renderer and sanitiser) and its autosaved
drafts, for staff who write."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.models import ArticleDraft

from .factories import ArticleFactory, staff_member
from .test_workflow import client_as, form_data, logged_in

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:articles_article_body_preview")


@pytest.mark.parametrize(
    "role, answer",
    [("anonymous", 302), ("staff_without_group", 403), ("writer", 200), ("editor", 200)],
)
def test_who_may_preview_a_body(django_user_model, role, answer):
    client = client_as(role, django_user_model)
    assert client.post(PREVIEW, {"body": "## Hello"}).status_code == answer


def test_the_preview_is_the_public_page_s_html_sanitised():
    ArticleFactory(slug="the-loop")
    client = logged_in(staff_member("Writers", "wendy"))
    body = "## A heading\n\n**Bold** [x](article:the-loop) <script>alert(1)</script>"
    answer = client.post(PREVIEW, {"body": body})
    assert "no-store" in answer["Cache-Control"]  # the admin's never_cache
    html = answer.json()["html"]
    assert '<h2 id="a-heading">A heading</h2>' in html
    assert "<strong>Bold</strong>" in html
    assert 'href="/articles/the-loop/"' in html
    assert "<script" not in html
    assert answer.json()["words"] == 4  # A heading Bold x: the script went, its text too


def test_the_preview_needs_a_post_with_the_csrf_token():
    writer = staff_member("Writers", "wendy")
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.post(PREVIEW, {"body": "x"}).status_code == 403
    assert logged_in(writer).get(PREVIEW).status_code == 405


def test_a_body_too_long_to_preview_is_refused_with_a_reason(settings):
    client = logged_in(staff_member("Editors", "edith"))
    answer = client.post(PREVIEW, {"body": "x" * 500_001})
    assert answer.status_code == 400
    assert answer.json() == {"error": "Too long to preview."}


def test_the_change_form_carries_the_editor_script_and_its_settings_and_no_inline_script():
    article = ArticleFactory()
    page = logged_in(staff_member("Editors", "edith")).get(
        reverse("admin:articles_article_change", args=[article.pk])
    )
    html = page.content.decode()
    assert 'src="/static/js/article_editor.js"' in html
    assert f'data-draft-key="careers_site:article:{article.pk}"' in html
    assert f'data-preview-url="{PREVIEW}"' in html
    assert "style=" not in html.split("<body", 1)[1].split("</form>", 1)[0]


def autosave_url(article) -> str:
    return reverse("admin:articles_article_autosave", args=[article.pk])


def post_json(client, url, values):
    return client.post(url, json.dumps(values), content_type="application/json")


@pytest.mark.parametrize(
    "role, whose, answer",
    [
        ("writer", "own draft", 200),
        ("writer", "own published", 403),
        ("writer", "other's draft", 404),  # not among their articles
        ("editor", "other's draft", 200),
        ("staff_without_group", "other's draft", 404),  # may not even see it
    ],
)
def test_who_may_autosave_an_article(django_user_model, role, whose, answer):
    writer, other = staff_member("Writers", "wendy"), staff_member("Writers", "walter")
    users = {
        "writer": writer,
        "editor": staff_member("Editors", "edith"),
        "staff_without_group": django_user_model.objects.create_user("plain", is_staff=True),
    }
    author = (writer if whose.startswith("own") else other).author_profile
    status = "published" if whose.endswith("published") else "draft"
    article = ArticleFactory(author=author, status=status)
    response = post_json(logged_in(users[role]), autosave_url(article), {"body": "Typed."})
    assert response.status_code == answer
    assert ArticleDraft.objects.exists() == (answer == 200)


def test_an_autosaved_draft_keeps_only_the_form_s_text_and_is_offered_on_reopening():
    editor = staff_member("Editors", "edith")
    article = ArticleFactory(body="Saved.")
    client = logged_in(editor)
    answer = post_json(
        client, autosave_url(article), {"body": "Typed.", "status": "published", "title": 7}
    )
    assert answer.json()["kept"] is True
    draft = ArticleDraft.objects.get()
    assert draft.values == {"body": "Typed."}
    article.refresh_from_db()
    assert (article.body, article.status) == ("Saved.", "published")  # the article is untouched

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(page, '<script id="article-server-draft" type="application/json">')
    assertContains(page, "Typed.")
    assert (
        logged_in(staff_member("Editors", "erik"))
        .get(reverse("admin:articles_article_change", args=[article.pk]))
        .context["server_draft"]
        is None
    )  # another editor's browser is not offered it


def test_saving_the_article_forgets_the_autosaved_draft():
    editor = staff_member("Editors", "edith")
    article = ArticleFactory()
    client = logged_in(editor)
    post_json(client, autosave_url(article), {"body": "Typed."})
    client.post(reverse("admin:articles_article_change", args=[article.pk]), form_data(article))
    assert not ArticleDraft.objects.exists()


def test_a_discarded_draft_is_forgotten_and_bad_input_is_refused():
    client = logged_in(staff_member("Editors", "edith"))
    article = ArticleFactory()
    url = autosave_url(article)
    post_json(client, url, {"body": "Typed."})
    assert client.delete(url).json() == {"kept": False}
    assert not ArticleDraft.objects.exists()
    assert post_json(client, url, ["not", "an", "object"]).status_code == 400
    assert client.post(url, "{broken", content_type="application/json").status_code == 400
    assert client.get(url).status_code == 405
