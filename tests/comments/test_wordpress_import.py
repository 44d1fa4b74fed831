"""A WordPress post's comments, brought across by `manage.py import_wordpress`: thread, writer,
date and status kept, no IP address stored, nothing doubled by a second run."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment, Notification
from tests.articles import wxr_files as w

pytestmark = pytest.mark.django_db

THREAD = (
    w.comment("100", author="Ann", content="First &amp; <b>best</b>")
    + w.comment("102", parent="101", author="Cy", content="Reply to a reply")
    + w.comment("101", parent="100", author="Bo", content="A reply", url="javascript:alert(1)")
    + w.comment("103", approved="0", author="Held", content="Waiting")
    + w.comment("104", approved="spam", author="Spammer", content="Buy now")
    + w.comment("105", approved="trash", author="Gone", content="Removed")
    + w.comment("106", kind="pingback", author="Other blog", content="Linked here")
    + w.comment("107", parent="999", author="Orphan", content="Parent not exported")
)


def run(tmp_path, comments: str = THREAD) -> str:
    text = w.export(
        w.author(),
        w.category("careers", "Careers"),
        w.item("10", "Post", slug="post", comments=comments),
    )
    out = StringIO()
    call_command("import_wordpress", str(w.write(tmp_path, text)), stdout=out)
    return out.getvalue()


def test_comments_keep_their_thread_writer_and_date(tmp_path):
    run(tmp_path)
    first = Comment.objects.get(author_name="Ann")
    reply = Comment.objects.get(author_name="Bo")
    deeper = Comment.objects.get(author_name="Cy")
    assert first.article == Article.objects.get(slug="post")
    assert (first.parent, reply.parent, deeper.parent) == (None, first, reply)
    assert (first.depth, reply.depth, deeper.depth) == (1, 2, 3)
    assert first.body == "First & best"
    assert first.author_email == "ann@example.com"
    assert first.author_url == "https://ann.example.com"
    assert reply.author_url == ""  # not a web address the site links to
    assert first.created_at == datetime(2020, 5, 5, 9, 0, tzinfo=UTC)


def test_statuses_are_kept_and_only_approved_ones_are_shown(tmp_path, client):
    output = run(tmp_path)
    statuses = dict(Comment.objects.values_list("author_name", "status"))
    assert statuses["Held"] == Comment.Status.PENDING
    assert statuses["Spammer"] == Comment.Status.SPAM
    assert statuses["Gone"] == Comment.Status.TRASH
    assert "Other blog" not in statuses  # pingbacks are not comments here
    assert "comment: 7 created, 0 updated, 0 unchanged, 1 skipped" in output
    page = client.get("/articles/post/").content.decode()
    assert "Reply to a reply" in page
    assert "Waiting" not in page and "Buy now" not in page and "Removed" not in page


def test_a_reply_whose_parent_is_not_in_the_export_is_kept_at_the_top(tmp_path):
    output = run(tmp_path)
    orphan = Comment.objects.get(author_name="Orphan")
    assert (orphan.parent, orphan.depth) == (None, 1)
    assert "comment 107 “Orphan”: its parent is missing: top level" in output


def test_no_ip_address_is_stored(tmp_path):
    run(tmp_path)
    assert set(Comment.objects.values_list("client_hash", flat=True)) == {""}
    stored = " ".join(str(value) for row in Comment.objects.values_list() for value in row)
    assert "203.0.113.9" not in stored


def test_importing_twice_doubles_no_comment_and_sends_no_mail(tmp_path):
    run(tmp_path)
    output = run(tmp_path, THREAD.replace("Waiting", "Still waiting"))
    assert Comment.objects.count() == 7
    assert Comment.objects.get(author_name="Held").body == "Still waiting"
    assert "comment 103 “Held”: updated: body" in output
    assert mail.outbox == [] and not Notification.objects.exists()
