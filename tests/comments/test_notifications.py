"""E-mails about comments: to moderators, to readers who asked, and never at a submission's cost."""

import re
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks import default_task_backend

from articles.models import Author
from comments.emails import comment_id_from_unsubscribe_token, unsubscribe_url
from comments.models import Comment, Notification
from comments.services import comments_moderate
from comments.tasks import send_comment_notification

from .factories import CommentFactory, moderators_group

pytestmark = pytest.mark.django_db


class MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(
        "mod", email="mod@example.com", password="pw", is_staff=True
    )
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def article_with_author_account(article, django_user_model):
    writer = django_user_model.objects.create_user(
        "writer", email="writer@example.com", is_staff=True
    )
    Author.objects.filter(pk=article.author_id).update(user=writer)
    article.author.refresh_from_db()
    return article


def test_held_comment_emails_the_moderators_and_the_article_author(
    post_comment, article_with_author_account, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(article_with_author_account, body="Please approve me.")

    assert response.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == [
        "mod@example.com",
        "writer@example.com",
    ]
    message = mail.outbox[0]
    assert "Please moderate" in message.subject
    assert "Please approve me." in message.body
    assert "A first comment from this author: held for moderation." in message.body
    comment = Comment.objects.get()
    assert f"/admin/comments/comment/{comment.pk}/change/" in message.body
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.parametrize("overrides", [{"homepage": "bot"}, {}])
def test_spam_and_approved_comments_email_no_moderator(
    post_comment, article, moderator, django_capture_on_commit_callbacks, overrides
):
    if not overrides:
        CommentFactory(article=article, author_email="ada@example.com")  # known: approved
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(article, body="Not for moderators", **overrides)

    assert mail.outbox == []


def test_mail_server_down_never_breaks_or_loses_a_submission(
    post_comment, article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"

    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(article, body="Saved whatever the mail server does.")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == "Saved whatever the mail server does."
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert "SMTPServerDisconnected" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_comment_notifications", "--all", stdout=mock.MagicMock())

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [message.to for message in mail.outbox] == [["mod@example.com"]]


def test_pending_notification_waits_before_the_next_attempt(article, moderator, settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    comment = CommentFactory(article=article, pending=True)
    notification = Notification.objects.create(
        kind=Notification.Kind.MODERATION, comment=comment, recipient="mod@example.com"
    )
    send_comment_notification.call(notification_id=notification.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    call_command("send_comment_notifications", stdout=mock.MagicMock())  # not yet due

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert mail.outbox == []


def test_failed_task_schedules_its_own_retry_where_the_backend_can(article, settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    comment = CommentFactory(article=article, pending=True)
    notification = Notification.objects.create(
        kind=Notification.Kind.MODERATION, comment=comment, recipient="mod@example.com"
    )

    send_comment_notification.call(notification_id=notification.pk)

    (retry,) = default_task_backend.results
    assert retry.kwargs == {"notification_id": notification.pk}
    assert retry.task.run_after is not None


def test_notification_gives_up_after_the_last_attempt(article, settings):
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    settings.COMMENTS_NOTIFICATION_MAX_ATTEMPTS = 2
    comment = CommentFactory(article=article, pending=True)
    notification = Notification.objects.create(
        kind=Notification.Kind.MODERATION, comment=comment, recipient="mod@example.com"
    )

    for _ in range(3):
        send_comment_notification.call(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 2)


def test_task_queue_down_never_breaks_a_submission(
    post_comment, article, moderator, django_capture_on_commit_callbacks
):
    with (
        mock.patch("comments.tasks.send_comment_notification") as task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        task.enqueue.side_effect = RuntimeError("task queue down")
        response = post_comment(article)

    assert task.enqueue.called
    assert response.status_code == 302
    assert Comment.objects.count() == 1
    assert Notification.objects.get().status == Notification.Status.PENDING


def approve(comment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comments_moderate(comments=[comment], status=Comment.Status.APPROVED)


def unsubscribe_link_in(body: str) -> str:
    """The signed link in an e-mail (its token carries the time it was made, to the second)."""
    base = "https://careers.example/comments/unsubscribe"  # SITE_URL in tests/conftest.py
    match = re.search(re.escape(base) + r"/[^/\s]+/", body)
    assert match, body
    return match.group(0)


def test_writer_who_asked_is_told_once_when_the_comment_is_approved(
    article, django_capture_on_commit_callbacks
):
    comment = CommentFactory(
        article=article, pending=True, notify_replies=True, author_email="ada@example.com"
    )

    approve(comment, django_capture_on_commit_callbacks)
    comments_moderate(comments=[comment], status=Comment.Status.PENDING)
    approve(comment, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert "approved" in message.body
    link = unsubscribe_link_in(message.body)
    assert comment_id_from_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == comment.pk
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_writer_who_did_not_ask_gets_no_email(article, django_capture_on_commit_callbacks):
    comment = CommentFactory(article=article, pending=True, notify_replies=False)
    approve(comment, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_approved_reply_emails_the_parent_author_who_asked(
    article, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article, notify_replies=True, author_email="ada@example.com")
    reply = CommentFactory(
        parent=parent, pending=True, author_name="Bea", author_email="bea@example.com"
    )

    approve(reply, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Bea replied" in message.subject
    assert "bea@example.com" not in message.body  # a replier's address stays private
    link = unsubscribe_link_in(message.body)
    assert comment_id_from_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == parent.pk


def test_reply_auto_approved_at_submit_emails_the_parent_author(
    post_comment, article, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article, notify_replies=True, author_email="bea@example.com")
    CommentFactory(article=article, author_email="ada@example.com")  # Ada is known

    with django_capture_on_commit_callbacks(execute=True):
        post_comment(article, parent=str(parent.pk))

    assert [message.to for message in mail.outbox] == [["bea@example.com"]]


def test_no_reply_email_to_yourself(article, django_capture_on_commit_callbacks):
    parent = CommentFactory(article=article, notify_replies=True, author_email="ada@example.com")
    reply = CommentFactory(parent=parent, pending=True, author_email="ADA@example.com")
    approve(reply, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_at_most_one_email_an_hour_to_any_address(article, django_capture_on_commit_callbacks):
    parent = CommentFactory(article=article, notify_replies=True, author_email="ada@example.com")
    replies = CommentFactory.create_batch(3, parent=parent, pending=True)

    for reply in replies:
        approve(reply, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    statuses = sorted(Notification.objects.values_list("status", flat=True))
    assert statuses == ["sent", "skipped", "skipped"]


def test_unsubscribe_link_asks_then_its_button_stops_reply_emails(article):
    comment = CommentFactory(article=article, notify_replies=True, author_email="ada@example.com")
    other = CommentFactory(notify_replies=True, author_email="Ada@Example.com")
    stranger = CommentFactory(notify_replies=True, author_email="bea@example.com")
    link = unsubscribe_url(comment).removeprefix("https://careers.example")
    reader = Client(enforce_csrf_checks=True)

    shown = reader.get(link)  # what a mail scanner following the link does: nothing changes
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "no-store"
    html = shown.content.decode()
    assert '<form method="post"' in html and "Stop e-mails about replies</button>" in html
    assert Comment.objects.filter(notify_replies=True).count() == 3

    response = reader.post(link)  # the button

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Comment.objects.get(pk=comment.pk).notify_replies
    assert not Comment.objects.get(pk=other.pk).notify_replies
    assert Comment.objects.get(pk=stranger.pk).notify_replies


def test_a_mail_clients_one_click_unsubscribe_posts_without_a_token(article):
    """RFC 8058: the client posts `List-Unsubscribe=One-Click` to the List-Unsubscribe address."""
    comment = CommentFactory(article=article, notify_replies=True, author_email="ada@example.com")
    link = unsubscribe_url(comment).removeprefix("https://careers.example")

    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Comment.objects.get(pk=comment.pk).notify_replies


@pytest.mark.parametrize("token", ["1", "not-a-token", "MQ:1abc:forged"])
def test_forged_unsubscribe_link_is_refused(client, token):
    CommentFactory(pk=1, notify_replies=True, author_email="ada@example.com")
    url = reverse("comments:unsubscribe", kwargs={"token": token})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Comment.objects.get(pk=1).notify_replies


def test_auto_approved_comment_tells_the_writer_who_asked(
    post_comment, article, django_capture_on_commit_callbacks
):
    CommentFactory(article=article, author_email="ada@example.com")  # Ada is known

    with django_capture_on_commit_callbacks(execute=True):
        post_comment(article, notify_replies="on")

    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "is published" in message.subject
