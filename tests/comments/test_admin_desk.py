"""The moderators' desk: clean labels, Approve / Spam / Reply from a comment's page and from the
list (through the services, so shared pages show the change at once), the comment in its thread."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.admin_pages import form_values
from tests.articles.factories import ArticleFactory
from tests.roles import ROLES, staff_member

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def change_url(comment: Comment) -> str:
    return reverse("admin:comments_comment_change", args=[comment.pk])


def moderate_url(comment: Comment) -> str:
    return reverse("admin:comments_comment_moderate", args=[comment.pk])


def reply_url(comment: Comment) -> str:
    return reverse("admin:comments_comment_reply", args=[comment.pk])


@pytest.fixture
def moderator(db):
    return staff_member("moderator", "mod")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


class TestLabels:
    def test_the_pending_count_is_beside_comments_on_the_admin_index_only(self, moderator_client):
        CommentFactory.create_batch(2, pending=True)

        index = moderator_client.get(reverse("admin:index")).content.decode()
        assert "Comments (2 awaiting moderation)" in index

        changelist = moderator_client.get(CHANGELIST).content.decode()
        before_sidebar, sidebar_and_after = changelist.split('id="nav-sidebar"')
        sidebar, after_sidebar = sidebar_and_after.split("</nav>", 1)
        assert "Comments (2 awaiting moderation)" in sidebar  # the queue's size, as on the index
        page = before_sidebar + after_sidebar  # title, breadcrumbs, list, footer
        assert "awaiting moderation)" not in page
        assert "<h1>Select comment to change</h1>" in page
        assert "2 comments" in page  # the paginator's count

    def test_the_delete_action_reads_delete_selected_comments(self, client, staff_user):
        CommentFactory(pending=True)
        client.force_login(staff_user)
        content = client.get(CHANGELIST).content.decode()
        assert "Delete selected comments<" in content
        actions = content.split('name="action"')[1].split("</select>")[0]
        assert "awaiting moderation)" not in actions

    def test_a_comment_is_titled_by_its_articles_title(self, moderator_client):
        article = ArticleFactory(title="How to become an ML engineer")
        comment = CommentFactory(author_name="Ada", article=article)

        content = moderator_client.get(change_url(comment)).content.decode()

        assert "Ada on “How to become an ML engineer”" in content
        assert f"Ada on {comment.article_id}" not in content


class TestModerateFromTheCommentPage:
    def test_approve_shows_the_comment_on_the_cached_article_page_at_once(self, moderator_client):
        comment = CommentFactory(pending=True, body="A held question about ML roles")
        reader = Client()
        assert "A held question" not in reader.get(comment.article.get_absolute_url()).text
        reader.get(comment.article.get_absolute_url())  # the shared copy is stored now

        response = moderator_client.post(
            moderate_url(comment), {"status": "approved", "next": change_url(comment)}
        )

        assert response.status_code == 302 and response["Location"] == change_url(comment)
        comment.refresh_from_db()
        assert comment.status == Comment.Status.APPROVED
        assert "Approved by mod." in comment.moderation_reasons
        assert "A held question" in reader.get(comment.article.get_absolute_url()).text
        page = moderator_client.get(change_url(comment)).content.decode()
        assert "is now “Approved”" in page

    def test_spam_takes_an_approved_comment_off_the_cached_page_at_once(self, moderator_client):
        comment = CommentFactory(body="Buy cheap followers now")
        reader = Client()
        assert "Buy cheap followers" in reader.get(comment.article.get_absolute_url()).text

        moderator_client.post(moderate_url(comment), {"status": "spam"})

        comment.refresh_from_db()
        assert comment.status == Comment.Status.SPAM
        assert "Buy cheap followers" not in reader.get(comment.article.get_absolute_url()).text

    def test_the_page_has_the_buttons_for_its_status(self, moderator_client):
        held = CommentFactory(pending=True)
        content = moderator_client.get(change_url(held)).content.decode()
        assert f'action="{moderate_url(held)}"' in content
        assert 'name="status" value="approved"' in content
        assert 'name="status" value="spam"' in content
        assert "Approve and reply" in content

    def test_an_unknown_status_changes_nothing_and_says_so(self, moderator_client):
        comment = CommentFactory(pending=True)
        response = moderator_client.post(moderate_url(comment), {"status": "deleted"}, follow=True)
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING
        assert "Choose Approve, Unapprove, Spam or Trash." in response.content.decode()

    def test_moderating_needs_a_post(self, moderator_client):
        comment = CommentFactory(pending=True)
        assert moderator_client.get(moderate_url(comment)).status_code == 405
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING

    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/about/"])
    def test_it_never_redirects_outside_admin(self, moderator_client, next_url):
        comment = CommentFactory(pending=True)
        response = moderator_client.post(
            moderate_url(comment), {"status": "approved", "next": next_url}
        )
        assert response["Location"] == change_url(comment)


class TestModerateFromTheList:
    def test_each_row_has_its_buttons_inside_the_lists_form(self, moderator_client):
        held = CommentFactory(pending=True)
        approved = CommentFactory()

        content = moderator_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()

        form = content.split('id="changelist-form"')[1].split("</form>")[0]
        assert f'formaction="{moderate_url(held)}?next=' in form
        assert 'name="status" value="approved"' in form
        assert f'href="{reply_url(held)}"' in form
        assert moderate_url(approved) not in form  # filtered out

    def test_a_rows_button_returns_to_the_same_filtered_list(self, moderator_client):
        comment = CommentFactory(pending=True)
        back = f"{CHANGELIST}?status__exact=pending"

        response = moderator_client.post(
            f"{moderate_url(comment)}?next={back.replace('?', '%3F').replace('=', '%3D')}",
            {"status": "spam", "action": "", "_selected_action": []},
        )

        assert response["Location"] == back
        comment.refresh_from_db()
        assert comment.status == Comment.Status.SPAM


class TestReplyAsTheSite:
    def test_reply_is_approved_under_the_sites_name_and_shows_at_once(
        self, moderator_client, moderator, settings, django_capture_on_commit_callbacks
    ):
        parent = CommentFactory(notify_replies=True, author_email="ada@example.com")
        reader = Client()
        reader.get(parent.article.get_absolute_url())

        with django_capture_on_commit_callbacks(execute=True):
            response = moderator_client.post(
                reply_url(parent), {"body": "Thanks, Ada: start with linear algebra."}
            )

        assert response.status_code == 302 and response["Location"] == change_url(parent)
        reply = Comment.objects.get(parent=parent)
        assert (reply.author_name, reply.status, reply.user) == (
            settings.SITE_NAME,
            Comment.Status.APPROVED,
            moderator,
        )
        assert "start with linear algebra" in reader.get(parent.article.get_absolute_url()).text
        assert [message.to for message in mail.outbox] == [["ada@example.com"]]

    def test_replying_to_a_held_comment_approves_it_first(self, moderator_client):
        parent = CommentFactory(pending=True)
        moderator_client.post(reply_url(parent), {"body": "Welcome!"})
        parent.refresh_from_db()
        assert parent.status == Comment.Status.APPROVED
        assert Comment.objects.get(parent=parent).status == Comment.Status.APPROVED

    def test_an_empty_reply_is_refused_at_the_field(self, moderator_client):
        parent = CommentFactory()
        response = moderator_client.post(reply_url(parent), {"body": "   "})
        assert response.status_code == 200
        assert "Write the reply first." in response.content.decode()
        assert not Comment.objects.filter(parent=parent).exists()

    def test_a_spam_comment_gets_no_reply(self, moderator_client):
        parent = CommentFactory(spam=True)
        response = moderator_client.post(reply_url(parent), {"body": "Hello"})
        assert "approve the comment first" in response.content.decode()
        assert not Comment.objects.filter(parent=parent).exists()

    def test_the_reply_page_keeps_what_was_typed_when_refused(self, moderator_client):
        parent = CommentFactory(trash=True)
        response = moderator_client.post(reply_url(parent), {"body": "My careful answer"})
        assert "My careful answer" in response.content.decode()


class TestThread:
    def test_the_comment_is_shown_in_its_whole_thread_and_only_that(self, moderator_client):
        root = CommentFactory(author_name="Root Writer", body="Where do I start?")
        answer = CommentFactory(parent=root, author_name="Answerer", body="With Python.")
        held = CommentFactory(parent=answer, pending=True, author_name="Held One", body="And?")
        CommentFactory(article=root.article, author_name="Other Thread", body="Unrelated.")

        content = moderator_client.get(change_url(answer)).content.decode()

        thread = content.split('class="comment-thread"')[1].split("</ol>")[0]
        assert thread.index("Root Writer") < thread.index("Answerer") < thread.index("Held One")
        assert "Other Thread" not in thread
        assert "Awaiting moderation" in thread  # every status, for moderators
        assert 'aria-current="true"' in thread and "(this comment)" in thread
        assert f'href="{change_url(held)}"' in thread

    def test_hostile_text_in_the_thread_is_escaped(self, moderator_client):
        comment = CommentFactory(author_name="<b>x</b>", body='<script>alert("x")</script>')
        content = moderator_client.get(change_url(comment)).content.decode()
        assert '<script>alert("x")' not in content
        assert "&lt;script&gt;" in content

    def test_the_thread_costs_the_same_queries_for_a_long_discussion(
        self, moderator_client, django_assert_max_num_queries
    ):
        """Guards the N+1 on the thread's comments (their parents and replies)."""
        root = CommentFactory()
        moderator_client.get(change_url(root))
        with django_assert_max_num_queries(30) as few:
            moderator_client.get(change_url(root))
        parent = root
        for _ in range(10):
            parent = CommentFactory(parent=root if parent.depth >= 3 else parent)
        with django_assert_max_num_queries(len(few.captured_queries)):
            moderator_client.get(change_url(root))


ROLE_CAN_MODERATE = {"moderator": True, "coach": False, "editor": False}


@pytest.mark.parametrize("role", ROLES)
def test_only_moderators_moderate_and_reply(client, role):
    comment = CommentFactory(pending=True, body="Held for the desk")
    client.force_login(staff_member(role))
    allowed = ROLE_CAN_MODERATE[role]

    assert client.get(CHANGELIST).status_code == (200 if allowed else 403)
    assert client.get(change_url(comment)).status_code == (200 if allowed else 403)
    moderate = client.post(moderate_url(comment), {"status": "approved"})
    reply = client.post(reply_url(comment), {"body": "An answer"})

    assert (moderate.status_code, reply.status_code) == ((302, 302) if allowed else (403, 403))
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.APPROVED) is allowed
    assert Comment.objects.filter(parent=comment).exists() is allowed


def test_anonymous_visitors_are_sent_to_sign_in(client):
    comment = CommentFactory(pending=True)
    response = client.post(moderate_url(comment), {"status": "approved"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_staff_who_may_only_read_comments_see_the_thread_but_no_buttons(client, django_user_model):
    readers = Group.objects.create(name="Comment readers")
    readers.permissions.add(Permission.objects.get(codename="view_comment"))
    user = django_user_model.objects.create_user("reader", password="pw", is_staff=True)
    user.groups.add(readers)
    comment = CommentFactory(pending=True)
    client.force_login(user)

    content = client.get(change_url(comment)).content.decode()

    assert "In its thread" in content
    assert moderate_url(comment) not in content and "Reply as" not in content
    assert client.get(CHANGELIST).content.decode().count("formaction=") == 0
    assert client.post(moderate_url(comment), {"status": "approved"}).status_code == 403
    assert client.post(reply_url(comment), {"body": "x"}).status_code == 403


def test_saving_a_comments_page_unchanged_changes_nothing(moderator_client):
    comment = CommentFactory(pending=True, author_url="https://ada.example/", body="Line one\nTwo")
    before = Comment.objects.values().get(pk=comment.pk)
    page = moderator_client.get(change_url(comment)).content.decode()
    response = moderator_client.post(change_url(comment), form_values(page, "comment_form"))

    assert response.status_code == 302
    after = Comment.objects.values().get(pk=comment.pk)
    assert {**after, "updated_at": None} == {**before, "updated_at": None}
