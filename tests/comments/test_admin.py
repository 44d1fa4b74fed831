import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from comments.models import Comment

from .factories import CommentFactory, moderators_group

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(
        "mod", email="mod@example.com", password="pw", is_staff=True
    )
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def test_moderators_group_can_moderate_comments_and_nothing_else():
    group = Group.objects.get(name="Moderators")
    assert sorted(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("comments", "change_comment"),
        ("comments", "view_comment"),
    ]


@pytest.mark.parametrize(
    "role, changelist_status, articles_status",
    [
        ("anonymous", 302, 302),
        ("staff_without_group", 403, 403),
        ("moderator", 200, 403),
        ("superuser", 200, 200),
    ],
)
def test_who_can_open_the_moderation_queue(
    client, django_user_model, moderator, staff_user, role, changelist_status, articles_status
):
    users = {
        "staff_without_group": django_user_model.objects.create_user("plain", is_staff=True),
        "moderator": moderator,
        "superuser": staff_user,
    }
    if role in users:
        client.force_login(users[role])

    assert client.get(CHANGELIST).status_code == changelist_status
    assert client.get(reverse("admin:articles_article_changelist")).status_code == articles_status


def test_admin_index_shows_the_pending_count(moderator_client):
    CommentFactory.create_batch(2, pending=True)
    CommentFactory()

    html = moderator_client.get(reverse("admin:index")).content.decode()

    assert "Comments (2 awaiting moderation)" in html


def test_queue_lists_status_article_author_email_excerpt_reasons_and_site_link(moderator_client):
    comment = CommentFactory(
        pending=True,
        author_name="Mallory",
        author_email="mallory@example.com",
        body="Please look at my portfolio " + "x" * 200,
        moderation_reasons=["Contains 3 links (more than 2)."],
    )

    html = moderator_client.get(CHANGELIST).content.decode()

    for text in (
        "Awaiting moderation",
        comment.article.title,
        "Mallory",
        "mallory@example.com",
        "Please look at my portfolio",
        "Contains 3 links (more than 2).",
        f'href="{comment.get_absolute_url()}"',
    ):
        assert text in html
    assert "x" * 200 not in html


def test_queue_filters_by_status_and_article(moderator_client):
    held = CommentFactory(pending=True, body="Held one")
    CommentFactory(body="Approved one")

    html = moderator_client.get(CHANGELIST, {"status": "pending"}).content.decode()
    assert "Held one" in html and "Approved one" not in html

    html = moderator_client.get(
        CHANGELIST, {"article__id__exact": held.article_id}
    ).content.decode()
    assert "Held one" in html and "Approved one" not in html


@pytest.mark.parametrize("query", ["Mallory", "mallory@example", "portfolio"])
def test_queue_searches_name_email_and_text(moderator_client, query):
    CommentFactory(author_name="Mallory", author_email="mallory@example.com", body="My portfolio")
    CommentFactory(author_name="Other", author_email="other@example.com", body="Other text")

    html = moderator_client.get(CHANGELIST, {"q": query}).content.decode()

    assert "My portfolio" in html and "Other text" not in html


@pytest.mark.parametrize(
    "action, status",
    [
        ("mark_approved", Comment.Status.APPROVED),
        ("mark_pending", Comment.Status.PENDING),
        ("mark_spam", Comment.Status.SPAM),
        ("mark_trash", Comment.Status.TRASH),
    ],
)
def test_bulk_actions(moderator_client, action, status):
    initial = Comment.Status.APPROVED if status == Comment.Status.PENDING else "pending"
    comments = CommentFactory.create_batch(2, status=initial)

    response = moderator_client.post(
        CHANGELIST, {"action": action, "_selected_action": [c.pk for c in comments]}
    )

    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    assert "by mod" in Comment.objects.first().moderation_reasons[-1]


def test_approving_in_admin_sends_the_writers_email(
    moderator_client, django_capture_on_commit_callbacks
):
    comment = CommentFactory(pending=True, notify_replies=True, author_email="ada@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            CHANGELIST, {"action": "mark_approved", "_selected_action": [comment.pk]}
        )

    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_changing_the_status_on_the_change_form_goes_through_the_service(
    moderator_client, django_capture_on_commit_callbacks
):
    comment = CommentFactory(pending=True, notify_replies=True, author_email="ada@example.com")
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            url,
            {
                "status": "approved",
                "author_name": comment.author_name,
                "author_url": "",
                "body": "Edited by the moderator",
            },
        )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.body) == ("approved", "Edited by the moderator")
    assert len(mail.outbox) == 1


def test_moderators_cannot_add_or_delete_comments(moderator_client):
    comment = CommentFactory()
    assert moderator_client.get(reverse("admin:comments_comment_add")).status_code == 403
    delete = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert moderator_client.get(delete).status_code == 403


def test_moderator_finds_other_comments_from_the_same_sender(moderator_client):
    first = CommentFactory(client_hash="a" * 64, body="First from the sender")
    CommentFactory(client_hash="a" * 64, body="Second from the sender")
    CommentFactory(client_hash="b" * 64, body="Someone else")

    change = moderator_client.get(reverse("admin:comments_comment_change", args=[first.pk]))
    assert f"?q={'a' * 64}" in change.content.decode()

    html = moderator_client.get(CHANGELIST, {"q": "a" * 64}).content.decode()
    assert "Second from the sender" in html and "Someone else" not in html
