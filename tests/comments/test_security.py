"""Hostile input never reaches a page unescaped nor causes a 500; private data never leaks."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
HOSTILE_VALUES = [
    pytest.param(SCRIPT, id="script-tag"),
    pytest.param("<img src=x onerror=alert(1)><b>bold</b>", id="html"),
    pytest.param('"><svg onload=alert(1)>', id="attribute-breakout"),
    pytest.param("javascript:alert(1)", id="javascript-url"),
    pytest.param("nul\x00byte", id="nul-byte"),
    pytest.param("x" * 100_000, id="100-kb"),
    pytest.param("مرحبا بالعالم \u202eevil\u202c 👩🏽‍💻🚀", id="rtl-and-emoji"),
    pytest.param("{{ request }} {% now 'Y' %}", id="template-syntax"),
]
FIELDS = ["body", "author_name", "author_email", "author_url", "parent", "shown_at", "homepage"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_input_in_any_field_is_escaped_and_never_a_500(
    client, post_comment, article, field, value
):
    response = post_comment(article, **{field: value})

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        response = client.get(response["Location"])
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html
    assert 'href="javascript:' not in html
    assert "\x00" not in html


def test_approved_hostile_comment_is_shown_escaped_to_everyone(client, article):
    CommentFactory(
        article=article,
        author_name=f"{SCRIPT}Mallory",
        author_url='https://mallory.example/"onmouseover=alert(1)',
        body=f"{SCRIPT}\n<b>not bold</b> مرحبا 🚀",
    )

    html = Client().get(article.get_absolute_url()).content.decode()

    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Mallory" in html
    assert "&lt;b&gt;not bold&lt;/b&gt; مرحبا 🚀" in html
    assert "<b>not bold</b> مرحبا 🚀" in unescape(html)
    assert '"onmouseover' not in html


def test_javascript_website_is_never_a_link(article):
    # Even one that got into the database past the form (admin, import) is not linked.
    CommentFactory(article=article, author_name="Eve", author_url="javascript:alert(1)")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "javascript:alert" not in html
    assert '<span class="comment-author" id=' in html


def test_links_in_the_text_get_nofollow_ugc(article):
    CommentFactory(article=article, body="Read https://example.org/guide?a=1&b=2 first")
    html = Client().get(article.get_absolute_url()).content.decode()
    assert (
        '<a href="https://example.org/guide?a=1&amp;b=2" rel="nofollow ugc">'
        "https://example.org/guide?a=1&amp;b=2</a>"
    ) in html


def test_body_over_5000_characters_is_refused_at_its_field(post_comment, article):
    response = post_comment(article, body="y" * 5001)
    assert "Ensure this value has at most 5000 characters (it has 5001)." in (
        response.content.decode()
    )
    assert Comment.objects.count() == 0


def test_body_of_exactly_5000_characters_is_accepted(post_comment, article):
    assert post_comment(article, body="y" * 5000).status_code == 302


EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_no_commenter_email_or_ip_in_any_public_response(client, post_comment, article):
    CommentFactory(article=article, author_email="secret.one@example.com")
    post_comment(
        article,
        author_email="secret.two@example.com",
        remember="on",
        body="My own held comment",
    )
    CommentFactory(
        article=article, author_email="secret.three@example.com", parent=Comment.objects.first()
    )
    paths = [
        article.get_absolute_url(),
        f"{article.get_absolute_url()}?replytocom={Comment.objects.first().pk}",
        reverse("articles:home"),
        reverse("articles:list"),
        reverse("articles:feed"),
        reverse("articles:feed-atom"),
    ]
    for path in paths:
        response = Client(REMOTE_ADDR="198.51.100.7").get(path)
        body = response.content.decode()
        assert response.status_code == 200, path
        assert "secret." not in body, path
        assert "198.51.100.7" not in body, path
        assert "127.0.0.1" not in body, path


def test_the_stored_comment_has_no_raw_ip(post_comment, article):
    post_comment(article)
    comment = Comment.objects.get()
    assert "127.0.0.1" not in str(Comment.objects.values().get())
    assert len(comment.client_hash) == 64


def test_a_comment_cannot_forge_the_id_mark_of_the_stored_html(client, article):
    CommentFactory(
        article=article,
        author_name="Mark <!--id--> Forger",
        author_url="https://forger.example/<!--id-->",
        body="Look: <!--id--> and comment-<!--id-->",
    )

    html = Client().get(article.get_absolute_url()).content.decode()

    assert "<!--id-->" not in html
    assert "Mark &lt;!--id--&gt; Forger" in html
    assert "Look: &lt;!--id--&gt; and comment-&lt;!--id--&gt;" in html
