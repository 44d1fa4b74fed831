"""The body editor's live preview: the site's own renderer and sanitiser, for staff who write."""

import pytest
from django.test import Client
from django.urls import reverse

from .factories import ArticleFactory, staff_member
from .test_workflow import logged_in

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:articles_article_body_preview")


@pytest.mark.parametrize(
    "role, answer",
    [("anonymous", 302), ("staff_without_group", 403), ("writer", 200), ("editor", 200)],
)
def test_who_may_preview_a_body(django_user_model, role, answer):
    users = {
        "staff_without_group": lambda: django_user_model.objects.create_user(
            "plain", is_staff=True
        ),
        "writer": lambda: staff_member("Writers", "wendy"),
        "editor": lambda: staff_member("Editors", "edith"),
    }
    client = logged_in(users[role]()) if role in users else Client()
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
