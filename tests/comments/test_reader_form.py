"""The comment form as a reader meets it: a website typed without its scheme, and what the reader
is told once the comment is sent."""

import pytest

from comments.forms import CommentForm
from comments.models import Comment
from tests.articles.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("example.com", "https://example.com"),
        ("www.example.com/about", "https://www.example.com/about"),
        ("http://example.com", "http://example.com"),
    ],
)
def test_a_website_without_its_scheme_is_taken_as_https(post_comment, article, typed, stored):
    response = post_comment(article, author_url=typed)

    assert response.status_code == 302
    assert Comment.objects.get().author_url == stored


def test_the_website_box_lets_the_browser_send_an_address_without_its_scheme():
    html = str(CommentForm()["author_url"])
    assert 'type="text"' in html
    assert 'inputmode="url"' in html


def test_after_posting_the_reader_reads_that_the_comment_awaits_moderation(
    client, post_comment, article
):
    response = post_comment(article)

    page = client.get(response["Location"]).content.decode()
    assert (
        '<p class="comment-awaiting-moderation" role="status">Thank you: your comment was '
        "received and is awaiting moderation." in page
    )


def test_no_comments_reads_as_such_and_cards_show_no_zero(client, article):
    ArticleFactory(category=article.category)  # a card on the category page

    page = client.get(article.get_absolute_url()).content.decode()
    listing = client.get(article.category.get_absolute_url()).content.decode()

    assert '<h2 id="comments-title" class="comments-title">No comments yet</h2>' in page
    assert "0 Comments" not in page
    assert "0 Comments" not in listing
