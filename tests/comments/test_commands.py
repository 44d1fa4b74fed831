import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.signals import demo_content_seeded
from comments.models import Comment, Notification
from tests.articles.factories import ArticleFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_personal_data_export_prints_everything_stored_about_the_address(article):
    comment = CommentFactory(
        article=article,
        author_email="Ada@Example.com",
        author_name="Ada",
        author_url="https://ada.example",
        body="My words",
        notify_replies=True,
        client_hash="h" * 64,
    )
    CommentFactory(author_email="someone.else@example.com")
    Notification.objects.create(
        kind=Notification.Kind.APPROVED, comment=comment, recipient="ada@example.com"
    )

    data = json.loads(run("personal_data", "export", "ada@example.com"))

    (exported,) = data["comments"]["comments"]
    assert exported["text"] == "My words"
    assert exported["email"] == "Ada@Example.com"
    assert exported["website"] == "https://ada.example"
    assert exported["article"] == article.title
    assert exported["url"].endswith(f"#comment-{comment.pk}")
    assert data["comments"]["emails_sent"][0]["kind"] == "approved"


def test_personal_data_erase_anonymises_without_breaking_threads(article):
    parent = CommentFactory(
        article=article,
        author_email="ada@example.com",
        author_url="https://ada.example",
        notify_replies=True,
        client_hash="h" * 64,
    )
    reply = CommentFactory(parent=parent, author_email="bea@example.com")
    Notification.objects.create(
        kind=Notification.Kind.REPLY, comment=reply, recipient="ada@example.com"
    )

    result = json.loads(run("personal_data", "erase", "ADA@example.com"))

    assert result["erased"]["comments"] == 1
    parent.refresh_from_db()
    assert (parent.author_name, parent.author_email, parent.author_url, parent.client_hash) == (
        "Anonymous",
        "",
        "",
        "",
    )
    assert not parent.notify_replies
    assert parent.body  # the text stays, so replies still make sense
    reply.refresh_from_db()
    assert reply.parent == parent and reply.author_email == "bea@example.com"
    assert not Notification.objects.filter(recipient="ada@example.com").exists()
    assert json.loads(run("personal_data", "export", "ada@example.com"))["comments"] == {
        "comments": [],
        "emails_sent": [],
    }


def test_prune_forgets_client_hashes_after_30_days(article):
    old = CommentFactory(client_hash="o" * 64, created_at=timezone.now() - timedelta(days=31))
    recent = CommentFactory(client_hash="r" * 64, created_at=timezone.now() - timedelta(days=29))

    output = run("prune_comment_client_hashes")

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.client_hash, recent.client_hash) == ("", "r" * 64)
    assert "1 comment" in output


def test_seed_demo_adds_approved_threads_once():
    articles = ArticleFactory.create_batch(4)
    out = StringIO()

    demo_content_seeded.send(sender=None, stdout=out)
    count = Comment.objects.count()
    demo_content_seeded.send(sender=None, stdout=out)

    assert count > 0
    assert Comment.objects.count() == count  # running it again duplicates nothing
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    assert Comment.objects.filter(depth=3).exists()
    assert Comment.objects.values("article").distinct().count() == 3
    assert not articles[0].comments.filter(parent__isnull=False, depth=1).exists()
