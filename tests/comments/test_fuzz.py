"""Property-based tests: random, huge, empty and malformed values in every field of the comment
form and in the comment addresses never give a 500, never come back unescaped, and never leave a
comment half-saved."""

import time
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from articles.visitors import seconds_since_shown
from comments.emails import UNSUBSCRIBE_SALT, unsubscribe_token
from comments.forms import TIMESTAMP_SALT, form_timestamp
from comments.models import Comment, Notification
from tests.articles.factories import ArticleFactory
from tests.strategies import (
    MARKER,
    as_received,
    extra_fields,
    form_body,
    fuzz_settings,
    hostile,
    last_value,
    odd_text,
    utf8_text,
)

from .factories import CommentFactory, moderators_group

pytestmark = pytest.mark.django_db

KNOWN_EMAIL = "ada@example.com"  # has an approved comment: the next ones are approved at once
FIELDS = [
    "body",
    "author_name",
    "author_email",
    "author_url",
    "parent",
    "notify_replies",
    "remember",
    "homepage",
    "shown_at",
]


@dataclass(frozen=True)
class Existing:
    """A reference to one of the `thread` fixture's comments, resolved to its pk in the test."""

    name: str


VALID_TOKEN = Existing("valid shown_at token")

valid_values = {
    "body": st.builds(lambda a, b: a + MARKER + b, utf8_text, utf8_text),
    "author_name": st.builds(lambda a, b: a + MARKER + b, utf8_text, utf8_text)
    | st.just("Ada Reader"),
    "author_email": st.sampled_from([KNOWN_EMAIL, " ADA@Example.com "]) | st.emails(),
    "author_url": st.sampled_from(
        ["", "https://grace.example/", "example.org/a?b=<b>x</b>", "HTTP://Example.org:8080/x"]
    ),
    "parent": st.sampled_from(["", Existing("approved"), Existing("deep")]),
    "notify_replies": st.sampled_from([None, "on", "", "false", "0", "True"]),
    "remember": st.sampled_from([None, "on", "", "false"]),
    "homepage": st.just(""),
    "shown_at": st.just(VALID_TOKEN),
}
hostile_values = {
    "parent": hostile(
        st.sampled_from(
            [Existing("held"), Existing("elsewhere"), "0", "-1", "9" * 30, "1.0", "١", " 1 "]
        )
    ),
    "shown_at": hostile(
        st.sampled_from(
            [
                Existing("just shown"),
                Existing("other salt"),
                Existing("signed text"),
                VALID_TOKEN,
            ]
        )
    ),
}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 10**9


@pytest.fixture
def thread(article, known_author, django_user_model):
    """An approved comment whose writer wants replies, one three levels down, a held one and one
    under another article: every kind of parent a reply can name."""
    moderator = django_user_model.objects.create_user(
        username="moderator", email="moderator@example.com", is_staff=True
    )
    moderator.groups.add(moderators_group())
    approved = CommentFactory(
        article=article, author_email="grace@example.com", author_name="Grace", notify_replies=True
    )
    middle = CommentFactory(parent=approved)
    return {
        "approved": approved,
        "deep": CommentFactory(parent=middle),
        "held": CommentFactory(article=article, pending=True),
        "elsewhere": CommentFactory(article=ArticleFactory()),
    }


def resolve(value, thread):
    """Replace references to fixture comments and tokens by what the browser would post."""
    if isinstance(value, list):
        return [resolve(item, thread) for item in value]
    if not isinstance(value, Existing):
        return value
    tokens = {
        "valid shown_at token": lambda: form_timestamp(time.time() - 30),
        "just shown": lambda: form_timestamp(time.time()),
        "other salt": lambda: signing.dumps(time.time() - 30, salt="leads.form-started"),
        "signed text": lambda: signing.dumps("yesterday", salt="comments.form-shown-at"),
    }
    if value.name in tokens:
        return tokens[value.name]()
    return str(thread[value.name].pk)


def signed_unsubscribe(value) -> str:
    """A correctly signed unsubscribe token around any value; "ok" stands for a real one."""
    return value if value == "ok" else signing.dumps(value, salt=UNSUBSCRIBE_SALT)


def row_counts() -> tuple[int, int]:
    return Comment.objects.count(), Notification.objects.count()


def checkbox(value: str | None) -> bool:
    """What Django's CheckboxInput and BooleanField make of a posted value."""
    if value is None:
        return False
    value = value.replace("\x00", "")
    return {"true": True, "false": False}.get(value.lower(), bool(value))


def expected_notifications(comment: Comment) -> int:
    """The e-mails comment_submit records: the moderator for a held comment; the writer (if they
    asked) and the parent's writer (if they asked) for an approved one; none for spam."""
    if comment.status == Comment.Status.SPAM:
        return 0
    if comment.status == Comment.Status.PENDING:
        return 1
    parent = comment.parent
    replies_to_other = (
        parent is not None
        and parent.notify_replies
        and parent.author_email.lower() != comment.author_email.lower()
    )
    return int(comment.notify_replies) + int(replies_to_other)


def assert_escaped(response) -> None:
    assert MARKER.encode() not in response.content
    assert b"\x00" not in response.content


@fuzz_settings
@given(data=st.data(), encoding=st.sampled_from(["urlencoded", "multipart"]))
def test_comment_form_never_fails_escapes_everything_and_saves_all_or_nothing(
    client, article, thread, data, encoding
):
    tampered = data.draw(st.sets(st.sampled_from(FIELDS), max_size=4), label="tampered")
    posted = {
        field: data.draw(
            hostile_values.get(field, hostile()) if field in tampered else valid_values[field],
            label=field,
        )
        for field in FIELDS
    }
    extras = data.draw(extra_fields, label="extras")
    posted.update({k: v for k, v in extras.items() if as_received(k) not in FIELDS})
    posted = {key: resolve(value, thread) for key, value in posted.items()}
    comments_before, notifications_before = row_counts()

    body, content_type = form_body(posted, encoding)
    response = client.post(f"/articles/{article.slug}/comments/", body, content_type=content_type)

    event(f"answered {response.status_code}")
    assert response.status_code in {200, 302}
    assert_escaped(response)
    if response.status_code == 200:
        assert b"is-invalid" in response.content or b"alert-danger" in response.content
        assert row_counts() == (comments_before, notifications_before)
        return

    comment = Comment.objects.select_related("parent").latest("pk")
    event(f"saved as {comment.status}")
    received = {field: last_value(posted, field) for field in FIELDS}
    text = {field: (value or "").replace("\x00", "") for field, value in received.items()}
    assert Comment.objects.count() == comments_before + 1
    assert comment.article == article
    assert comment.body == text["body"].strip().replace("\r\n", "\n").strip()
    assert comment.author_name == " ".join(text["author_name"].split())
    assert comment.author_email == text["author_email"].strip()
    assert comment.author_url.lower().startswith(("http://", "https://")) or not comment.author_url
    assert comment.notify_replies == checkbox(received["notify_replies"])
    if text["parent"].strip():
        expected_parent = {
            str(thread["approved"].pk): thread["approved"],
            str(thread["deep"].pk): thread["deep"].parent,
        }.get(text["parent"].strip())
        assert comment.parent is not None and comment.parent.is_approved
        assert comment.parent.article == article
        assert expected_parent is None or comment.parent == expected_parent
    else:
        assert comment.parent is None
    seconds = seconds_since_shown(text["shown_at"], TIMESTAMP_SALT)
    trapped = bool(text["homepage"].strip()) or seconds is None or seconds < 3
    assert (comment.status == Comment.Status.SPAM) == trapped
    if comment.status == Comment.Status.APPROVED:
        assert comment.author_email.lower() == KNOWN_EMAIL
    notifications = Notification.objects.count() - notifications_before
    assert notifications == comment.notifications.count() == expected_notifications(comment)

    # The writer's browser follows the redirect and sees its comment, held or not, escaped.
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'id="comment-{comment.pk}"'.encode() in page.content
    assert_escaped(page)
    if comment.is_approved:
        for path in (article.get_absolute_url(), "/feed/"):
            public = Client().get(path)
            assert public.status_code == 200
            assert_escaped(public)
            assert comment.author_email.encode() not in public.content
            assert escape(comment.author_email).encode() not in public.content


@fuzz_settings
@given(data=st.data())
@pytest.mark.parametrize("gate", ["closed", "rate limited"])
def test_closed_or_rate_limited_form_refuses_anything_and_saves_nothing(
    client, settings, article, thread, gate, data
):
    if gate == "closed":
        article.comments_enabled = False
        article.save(update_fields=["comments_enabled"])
    else:
        settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0
    posted = {field: resolve(data.draw(hostile(), label=field), thread) for field in FIELDS}
    before = row_counts()

    body, content_type = form_body(posted, "urlencoded")
    response = client.post(f"/articles/{article.slug}/comments/", body, content_type=content_type)

    assert response.status_code == (403 if gate == "closed" else 429)
    assert_escaped(response)
    assert row_counts() == before


@fuzz_settings
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/json",
        ]
    ),
)
def test_malformed_request_bodies_are_refused_without_a_500(
    client, article, thread, body, content_type
):
    before = row_counts()

    response = client.generic(
        "POST", f"/articles/{article.slug}/comments/", body, content_type=content_type
    )

    assert response.status_code in {200, 400}
    assert_escaped(response)
    assert row_counts() == before


@fuzz_settings
@given(
    reply_to=st.one_of(
        odd_text,
        st.sampled_from([Existing("approved"), Existing("held"), Existing("elsewhere")]),
        st.integers().map(str),
    ),
    extra=odd_text,
)
def test_replytocom_with_any_value_shows_the_page(client, article, thread, reply_to, extra):
    reply_to = resolve(reply_to, thread)
    query = urlencode(
        {"replytocom": reply_to, "unapproved": extra + MARKER}, errors="surrogatepass"
    )

    # The comment page: the shared article page links there for a reply without JavaScript.
    page = reverse("comments:create", kwargs={"slug": article.slug})
    response = client.get(f"{page}?{query}")

    assert response.status_code == 200
    assert_escaped(response)
    heading = response.content.decode().split('id="reply-title"')[1].split("</h3>")[0]
    try:
        pk = int(as_received(reply_to))
    except ValueError:
        pk = None
    approved_here = dict(
        Comment.objects.approved().filter(article=article).values_list("pk", "author_name")
    )
    if pk in approved_here:
        assert f"Reply to {escape(approved_here[pk])}" in heading
    else:
        assert "Reply to" not in heading


@fuzz_settings
@given(
    token=st.one_of(
        odd_text,
        st.sampled_from(
            [
                "ok",
                10**30,
                -1,
                0,
                "1",
                [1],
                {"pk": 1},
                None,
                1.5,
            ]
        ).map(signed_unsubscribe),
    )
)
def test_unsubscribe_link_with_any_token_is_200_or_404(client, thread, token):
    subscribed = thread["approved"]
    if token == "ok":
        token = unsubscribe_token(subscribed)
    before = list(Comment.objects.order_by("pk").values_list("pk", "notify_replies"))

    response = client.get(f"/comments/unsubscribe/{quote(token, safe='', errors='surrogatepass')}/")

    assert response.status_code in {200, 404}
    assert MARKER.encode() not in response.content
    after = dict(Comment.objects.values_list("pk", "notify_replies"))
    for pk, notify in before:
        changed = after[pk] != notify
        assert not changed or (response.status_code == 200 and pk == subscribed.pk)
