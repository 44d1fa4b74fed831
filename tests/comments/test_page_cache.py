"""Comments under a cached article page: nobody sees another's held comment, saved details or
token; approving or withdrawing a comment shows at once; the form comes with its own token."""

import pytest
from django.test import Client
from django.urls import reverse

from careers_site.page_cache import STATUS_HEADER
from comments.models import Comment
from comments.services import comments_moderate, personal_data_erase
from tests.articles.factories import ArticleFactory

from .factories import CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db


def fetch(client, article):
    return client.get(article.get_absolute_url())


def test_a_held_comment_is_seen_by_its_writer_only_whoever_comes_first(article):
    writer, reader_before, reader_after = Client(), Client(), Client()
    fetch(reader_before, article)  # a shared page exists before the comment

    response = writer.post(
        reverse("comments:create", kwargs={"slug": article.slug}),
        comment_form_data(body="My held words about ML careers", author_name="Writer Wu"),
    )
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING

    own = fetch(writer, article)
    assert own[STATUS_HEADER] == "bypass"
    assert "My held words" in own.content.decode()
    assert "your comment was received and is awaiting moderation" in own.content.decode()
    for reader in (reader_before, reader_after):
        shared = fetch(reader, article)
        assert shared[STATUS_HEADER] == "hit"  # a held comment does not invalidate the page
        assert "My held words" not in shared.content.decode()


def test_saved_details_never_reach_a_shared_page(article):
    writer = Client()
    writer.post(
        reverse("comments:create", kwargs={"slug": article.slug}),
        comment_form_data(author_name="Saved Sam", author_email="sam@example.com", remember="on"),
    )
    writer.cookies.pop("comment_submitted")  # the saved-details cookie alone makes it personal

    own = fetch(writer, article)
    assert own[STATUS_HEADER] == "bypass"
    assert 'value="Saved Sam"' in own.content.decode()

    for _ in range(2):
        shared = fetch(Client(), article).content.decode()
        assert "Saved Sam" not in shared and "sam@example.com" not in shared


def test_the_fetched_form_carries_this_readers_details_and_token(article):
    writer = Client(enforce_csrf_checks=True)
    form_url = reverse("comments:form", kwargs={"slug": article.slug})
    first = writer.get(form_url)
    assert first["Cache-Control"] == "private, no-store"
    assert first["X-Robots-Tag"] == "noindex"
    token = writer.cookies["csrftoken"].value
    writer.post(
        reverse("comments:create", kwargs={"slug": article.slug}),
        comment_form_data(
            author_name="Saved Sam", remember="on", csrfmiddlewaretoken=token, body="Hello there"
        ),
    )

    assert 'value="Saved Sam"' in writer.get(form_url).content.decode()
    assert "Saved Sam" not in Client().get(form_url).content.decode()


def test_the_form_answers_a_reply_and_refuses_closed_or_hidden_articles(client, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:form", kwargs={"slug": article.slug})
    reply = client.get(f"{url}?replytocom={comment.pk}").content.decode()
    assert f'name="parent" value="{comment.pk}"' in reply
    assert 'name="parent" value' not in client.get(f"{url}?replytocom=x").content.decode()

    closed = ArticleFactory(comments_enabled=False)
    assert client.get(reverse("comments:form", kwargs={"slug": closed.slug})).status_code == 403
    draft = ArticleFactory(draft=True)
    assert client.get(reverse("comments:form", kwargs={"slug": draft.slug})).status_code == 404
    assert client.post(url).status_code == 405


def test_the_shared_page_links_to_the_form_instead_of_holding_it(client, article):
    html = fetch(client, article).content.decode()
    assert 'id="commentform"' not in html
    form_page = reverse("comments:create", kwargs={"slug": article.slug})
    assert f'<a class="btn btn-dark" href="{form_page}#respond">Write a comment</a>' in html
    assert f'data-form-url="{reverse("comments:form", kwargs={"slug": article.slug})}"' in html


@pytest.mark.parametrize(
    "withdraw",
    [
        lambda c: comments_moderate(comments=[c], status=Comment.Status.SPAM),
        lambda c: c.delete(),
        lambda c: personal_data_erase(c.author_email),
    ],
    ids=["marked-spam", "deleted", "erased"],
)
def test_approving_or_withdrawing_a_comment_shows_at_once(client, article, withdraw):
    held = CommentFactory(article=article, pending=True, author_name="Quinn Held")
    fetch(client, article)
    assert "Quinn Held" not in fetch(client, article).content.decode()

    comments_moderate(comments=[held], status=Comment.Status.APPROVED)
    assert "Quinn Held" in fetch(client, article).content.decode()
    assert fetch(client, article)[STATUS_HEADER] == "hit"

    withdraw(Comment.objects.get(pk=held.pk))
    assert "Quinn Held" not in fetch(client, article).content.decode()


def test_a_comments_html_is_made_when_it_is_saved_not_for_each_page(client, settings):
    """The page joins the stored pieces: what `Comment.html` holds is what readers see."""
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    comment = CommentFactory(article=article, body="As it was saved")
    assert "As it was saved" in comment.html

    Comment.objects.filter(pk=comment.pk).update(body="Changed behind the page's back")
    page = fetch(client, article).content.decode()

    assert "As it was saved" in page
    assert "behind the page" not in page


def test_threads_nest_replies_under_their_parents_without_a_template_per_comment(client):
    article = ArticleFactory()
    first = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=first, depth=2)
    deeper = CommentFactory(article=article, parent=reply, depth=3)
    second = CommentFactory(article=article)

    page = fetch(client, article).content.decode()
    start = page.index('<ol class="comment-list">')
    threads = page[start : page.index("</section>", start)]

    def at(comment) -> int:
        return threads.index(f'<li id="comment-{comment.pk}"')

    assert at(first) < threads.index('<ol class="children">') < at(reply) < at(deeper) < at(second)
    assert threads.count('<ol class="children">') == 2
    assert f'<li id="comment-{deeper.pk}" class="comment depth-3">' in threads
    assert threads.count("<li ") == threads.count("</li>") == 4
    assert threads.index("</ol></li></ol></li>") < at(second)  # both threads closed before it
