import json
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.readers import AUTHOR_COOKIE, SUBMITTED_COOKIE
from tests.articles.factories import ArticleFactory

from .factories import CommentFactory, comment_form_data, moderators_group

pytestmark = pytest.mark.django_db


def test_article_page_shows_approved_threads_oldest_first(client, article):
    first = CommentFactory(
        article=article, author_name="Grace Hopper", author_url="https://grace.example"
    )
    reply = CommentFactory(parent=first, author_name="Alan Turing", body="Line one\nLine two")
    CommentFactory(article=article, author_name="Later Reader")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="comments-title" class="comments-title">3 Comments</h2>' in html
    assert html.index("Grace Hopper") < html.index("Alan Turing") < html.index("Later Reader")
    assert f'<li id="comment-{reply.pk}" class="comment depth-2">' in html
    assert '<a href="https://grace.example" rel="nofollow ugc noopener">Grace Hopper</a>' in html
    assert '<span class="comment-avatar comment-avatar-' in html and ">GH</span>" in html
    assert f'href="#comment-{first.pk}"' in html
    assert "<p>Line one<br>Line two</p>" in html
    reply_url = reverse("comments:create", kwargs={"slug": article.slug})
    assert f'href="{reply_url}?replytocom={first.pk}#respond"' in html


def test_comment_count_is_in_the_article_header_and_in_lists(client, article):
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, pending=True)

    page = client.get(article.get_absolute_url()).content.decode()
    listing = client.get(reverse("articles:list")).content.decode()

    assert '<a class="comment-count text-nowrap" href="#comments">2 Comments</a>' in page
    link = f'href="{article.get_absolute_url()}#comments">2 Comments</a>'
    assert f'<a class="comment-count text-nowrap" {link}' in listing


@pytest.mark.parametrize("page", ["comments:form", "comments:create"])
def test_reply_form_has_the_required_texts(client, article, page):
    """The form as comments.js fetches it, and on the comment page (no JavaScript)."""
    html = client.get(reverse(page, kwargs={"slug": article.slug})).content.decode()

    assert "Your email address will not be published. Required fields are marked" in html
    assert "Save my name, email, and website in this browser for the next time I comment." in html
    assert "Notify me of replies by email" in html
    for label in ("Comment", "Name", "Email"):
        assert f'{label}<span class="asteriskField">*</span>' in html
    assert 'for="id_author_url" class="form-label">' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_post_redirects_back_to_the_comment(post_comment, article):
    response = post_comment(article)

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"


def test_held_comment_is_shown_to_its_writer_alone(client, post_comment, article):
    post_comment(article, body="My held thoughts.")

    writer_page = client.get(article.get_absolute_url()).content.decode()
    other_page = Client().get(article.get_absolute_url()).content.decode()

    assert "My held thoughts." in writer_page
    assert "your comment was received and is awaiting moderation" in writer_page
    assert "My held thoughts." not in other_page
    assert "awaiting moderation" not in other_page


def test_the_writers_cookie_is_signed_and_needs_no_session(client, post_comment, article):
    """The held comment is remembered in a signed cookie, without a session row; a cookie that
    names someone else's held comment, unsigned or tampered with, shows nothing."""
    response = post_comment(article, body="My held thoughts.")

    cookie = response.cookies[SUBMITTED_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
    held = Comment.objects.get()
    for forged in (json.dumps([held.pk]), cookie.value[:-2] + "xx"):
        stranger = Client()
        stranger.cookies[SUBMITTED_COOKIE] = forged
        assert "My held thoughts." not in stranger.get(article.get_absolute_url()).content.decode()


def test_approved_comment_is_visible_to_everyone_at_once(client, post_comment, article):
    CommentFactory(article=article, author_email="ada@example.com")

    post_comment(article, body="Approved straight away.")

    html = Client().get(article.get_absolute_url()).content.decode()
    assert "Approved straight away." in html
    assert "awaiting moderation" not in html


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mod", password="pw", is_staff=True)
    user.groups.add(moderators_group())
    return user


@pytest.mark.parametrize(
    "status, writer_sees, others_see, moderator_sees",
    [
        (Comment.Status.APPROVED, True, True, True),
        (Comment.Status.PENDING, True, False, True),
        (Comment.Status.SPAM, True, False, False),
        (Comment.Status.TRASH, False, False, False),
    ],
)
def test_visibility_by_status_and_viewer(
    client, post_comment, article, moderator, status, writer_sees, others_see, moderator_sees
):
    post_comment(article, body="Text whose visibility we check.")
    comment = Comment.objects.get()
    comment.status = status
    comment.save()  # as moderating does (a bulk update would skip the joined threads)
    moderator_client = Client()
    moderator_client.force_login(moderator)

    def shows(http_client) -> bool:
        return (
            "Text whose visibility we check."
            in http_client.get(article.get_absolute_url()).content.decode()
        )

    assert shows(client) is writer_sees
    assert shows(Client()) is others_see
    assert shows(moderator_client) is moderator_sees


def test_spam_is_answered_like_a_held_comment(client, post_comment, article):
    response = post_comment(article, homepage="http://bot.example", body="Spammy text")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (
        "your comment was received and is awaiting moderation"
        in client.get(response["Location"]).content.decode()
    )


def test_errors_are_shown_at_their_fields_and_what_was_typed_is_kept(post_comment, article):
    response = post_comment(
        article, author_email="not-an-address", author_name="", body="Kept text <3"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert article.title in html  # the page is otherwise whole
    assert "Enter a valid email address." in html
    assert "This field is required." in html
    assert "Kept text &lt;3" in html
    assert 'value="not-an-address"' in html
    assert Comment.objects.count() == 0


def test_duplicate_is_refused_with_a_clear_message(post_comment, article):
    CommentFactory(article=article, author_email="ada@example.com", body="Said it once.")

    response = post_comment(article, body="Said it once.")

    assert response.status_code == 200
    assert "already said that" in response.content.decode()
    assert Comment.objects.count() == 1


def test_remember_me_keeps_the_details_in_a_signed_cookie(client, post_comment, article):
    response = post_comment(
        article, remember="on", author_name="Ada R", author_url="https://ada.example"
    )

    assert AUTHOR_COOKIE in response.cookies
    cookie = response.cookies[AUTHOR_COOKIE]
    assert "ada@example.com" not in cookie.value  # signed and encoded, not plain text
    assert cookie["httponly"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Ada R"' in html
    assert 'value="ada@example.com"' in html
    assert 'value="https://ada.example"' in html


def test_without_the_box_ticked_nothing_is_kept(client, post_comment, article):
    response = post_comment(article)

    assert (
        response.cookies.get(AUTHOR_COOKIE) is None or response.cookies[AUTHOR_COOKIE].value == ""
    )
    assert 'value="ada@example.com"' not in client.get(article.get_absolute_url()).content.decode()


def test_unticking_the_box_forgets_the_details(client, post_comment, article):
    post_comment(article, remember="on", body="First")

    response = post_comment(article, body="Second")

    assert response.cookies[AUTHOR_COOKIE].value == ""
    assert response.cookies[AUTHOR_COOKIE]["max-age"] == 0
    assert 'value="ada@example.com"' not in client.get(article.get_absolute_url()).content.decode()


def test_a_forged_cookie_is_ignored(client, article):
    client.cookies[AUTHOR_COOKIE] = '{"author_email": "forged@example.com"}'
    html = client.get(article.get_absolute_url()).content.decode()
    assert "forged@example.com" not in html


def test_replytocom_shows_the_form_for_that_reply(client, article):
    comment = CommentFactory(article=article, author_name="Grace Hopper")
    page = reverse("comments:create", kwargs={"slug": article.slug})

    html = client.get(f"{page}?replytocom={comment.pk}").content.decode()

    assert "Reply to Grace Hopper" in html
    assert f'name="parent" value="{comment.pk}"' in html
    assert 'id="cancel-comment-reply-link" class="comment-cancel-reply" href' in html


def test_replytocom_with_junk_is_ignored(client, article):
    page = reverse("comments:create", kwargs={"slug": article.slug})
    response = client.get(f"{page}?replytocom=%3Cscript%3E")
    assert response.status_code == 200
    assert "Reply to" not in response.content.decode().split('id="reply-title"')[1][:200]


def test_reply_is_saved_under_its_parent(post_comment, article):
    parent = CommentFactory(article=article)

    post_comment(article, parent=str(parent.pk))

    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent == parent
    assert reply.depth == 2


def test_reply_below_the_deepest_level_attaches_to_the_deepest_allowed(post_comment, article):
    level_1 = CommentFactory(article=article)
    level_2 = CommentFactory(parent=level_1)
    level_3 = CommentFactory(parent=level_2)

    post_comment(article, parent=str(level_3.pk))

    reply = Comment.objects.latest()
    assert reply.parent == level_2
    assert reply.depth == 3


def test_reply_depth_follows_the_setting(post_comment, article, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    level_1 = CommentFactory(article=article)
    level_2 = CommentFactory(parent=level_1)

    post_comment(article, parent=str(level_2.pk))

    assert Comment.objects.latest().parent == level_1


def test_parent_from_another_article_is_an_error(post_comment, article):
    elsewhere = CommentFactory()

    response = post_comment(article, parent=str(elsewhere.pk))

    assert response.status_code == 200
    assert "The comment you replied to is not available" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["999999", "0", "abc"])
def test_unknown_or_malformed_parent_is_an_error_not_a_500(post_comment, article, parent):
    response = post_comment(article, parent=parent)
    assert response.status_code == 200
    assert Comment.objects.count() == 0


def test_reply_to_a_held_comment_is_an_error(post_comment, article):
    held = CommentFactory(article=article, pending=True)
    response = post_comment(article, parent=str(held.pk))
    assert "The comment you replied to is not available" in response.content.decode()


@pytest.mark.parametrize("state", ["draft", "scheduled", "unknown"])
def test_post_for_an_article_readers_cannot_see_is_404(client, state):
    slug = "no-such-article" if state == "unknown" else ArticleFactory(**{state: True}).slug
    response = client.post(reverse("comments:create", kwargs={"slug": slug}), comment_form_data())
    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_get_on_the_post_address_is_the_comment_page_for_readers_without_javascript(
    client, article
):
    response = client.get(reverse("comments:create", kwargs={"slug": article.slug}))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert article.title in html
    assert 'id="commentform"' in html and 'name="csrfmiddlewaretoken"' in html


def test_post_without_csrf_token_is_refused(article):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        reverse("comments:create", kwargs={"slug": article.slug}), comment_form_data()
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_post_with_csrf_token_from_the_page_is_accepted(article):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.get(reverse("comments:form", kwargs={"slug": article.slug}))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        reverse("comments:create", kwargs={"slug": article.slug}),
        comment_form_data(csrfmiddlewaretoken=token),
    )
    assert response.status_code == 302


def test_closed_article_shows_comments_are_closed_and_no_form(client):
    article = ArticleFactory(comments_enabled=False)
    CommentFactory(article=article, body="An old approved comment")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Comments are closed." in html
    assert "An old approved comment" in html
    assert 'id="commentform"' not in html
    assert "replytocom" not in html


def test_post_on_a_closed_article_is_403_and_changes_nothing(post_comment):
    article = ArticleFactory(comments_enabled=False)

    response = post_comment(article)

    assert response.status_code == 403
    assert "Comments are closed." in response.content.decode()
    assert Comment.objects.count() == 0


def test_comments_close_after_the_configured_days(client, post_comment, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=31))
    recent = ArticleFactory(published_at=timezone.now() - timedelta(days=29))

    assert post_comment(old).status_code == 403
    assert post_comment(recent).status_code == 302
    assert "Comments are closed." in client.get(old.get_absolute_url()).content.decode()


def test_comments_never_close_by_age_by_default(post_comment):
    ancient = ArticleFactory(published_at=timezone.now() - timedelta(days=3650))
    assert post_comment(ancient).status_code == 302


def test_logged_in_staff_see_their_name_instead_of_the_fields(client, article, staff_user):
    staff_user.first_name, staff_user.last_name = "Edith", "Editor"
    staff_user.email = "edith@example.com"
    staff_user.save()
    client.force_login(staff_user)

    html = client.get(article.get_absolute_url()).content.decode()
    assert "Logged in as Edith Editor." in html
    assert 'name="author_email"' not in html

    response = client.post(
        reverse("comments:create", kwargs={"slug": article.slug}),
        comment_form_data(author_name=None, author_email=None),
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert (comment.author_name, comment.user, comment.status) == (
        "Edith Editor",
        staff_user,
        Comment.Status.APPROVED,
    )


def test_staff_preview_of_a_draft_shows_no_comment_form(client, staff_user):
    draft = ArticleFactory(draft=True)
    client.force_login(staff_user)

    response = client.get(draft.get_preview_url())

    assert response.status_code == 200
    assert 'id="commentform"' not in response.content.decode()


def test_home_page_cards_never_query_comment_counts_one_by_one(client):
    """Guards the N+1 on comment counts of cards that are not in a prefetched list."""
    for _ in range(3):
        CommentFactory(article=ArticleFactory(is_featured=True))

    with CaptureQueriesContext(connection) as context:
        client.get(reverse("articles:home"))
    count_queries = [q for q in context.captured_queries if 'FROM "comments_comment"' in q["sql"]]
    assert len(count_queries) <= 1


def test_approved_reply_to_a_trashed_comment_is_still_shown(client, article):
    parent = CommentFactory(article=article, trash=True, body="Trashed parent")
    CommentFactory(parent=parent, body="Orphaned but approved reply")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Trashed parent" not in html
    assert "Orphaned but approved reply" in html
    assert "1 Comment</h2>" in html
