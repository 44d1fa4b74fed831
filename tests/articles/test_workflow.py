"""The editorial workflow in admin: Writers write their own drafts and submit them; Editors send
back, schedule, publish and unpublish any article. Every role acts with the permissions the
Writers and Editors groups get from their migration (no superuser stands in)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from careers_site.page_cache import STATUS_HEADER

from .factories import ArticleFactory, CategoryFactory, FAQItemFactory, TagFactory, staff_member

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def writer():
    return staff_member("Writers", "wendy")


@pytest.fixture
def other_writer():
    return staff_member("Writers", "walter")


@pytest.fixture
def editor():
    return staff_member("Editors", "edith")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_as(role: str, django_user_model) -> Client:
    """A client signed in as `role`: anonymous, staff without a group, a writer or an editor."""
    if role == "anonymous":
        return Client()
    users = {
        "staff_without_group": lambda: django_user_model.objects.create_user(
            "plain", is_staff=True
        ),
        "writer": lambda: staff_member("Writers", "wendy"),
        "editor": lambda: staff_member("Editors", "edith"),
    }
    return logged_in(users[role]())


NO_FAQ = {
    "faqs-TOTAL_FORMS": "0",
    "faqs-INITIAL_FORMS": "0",
    "faqs-MIN_NUM_FORMS": "0",
    "faqs-MAX_NUM_FORMS": "1000",
}


def form_data(article: Article, **overrides) -> dict:
    """The change form as the browser sends it back, unchanged unless overridden."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "author": article.author_id,
        "category": article.category_id,
        "tags": [tag.pk for tag in article.tags.all()],
        "comments_enabled": "on" if article.comments_enabled else "",
        "featured_image_alt": article.featured_image_alt,
        "featured_image_caption": article.featured_image_caption,
        "featured_image_credit": article.featured_image_credit,
        "seo_title": article.seo_title,
        "meta_description": article.meta_description,
        "review_note": article.review_note,
        **NO_FAQ,
    }
    if article.published_at:
        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    if article.is_featured:
        data["is_featured"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def faq_form_data(faq) -> dict:
    """The inline of an article with this one FAQ item, as the form sends it back."""
    return {
        **NO_FAQ,
        "faqs-TOTAL_FORMS": "1",
        "faqs-INITIAL_FORMS": "1",
        "faqs-0-id": faq.pk,
        "faqs-0-article": faq.article_id,
        "faqs-0-question": faq.question,
        "faqs-0-answer": faq.answer,
        "faqs-0-position": faq.position,
    }


def schedule_data(article: Article, *, days: int = 3, time: str | None = None) -> dict:
    """The form with the Schedule button pressed, for `days` ahead (at `time`, or this time)."""
    later = timezone.localtime() + timedelta(days=days)
    return form_data(
        article,
        _schedule="1",
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=time or later.strftime("%H:%M:%S"),
    )


def test_the_groups_hold_their_permissions_and_only_editors_publish():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    writers, editors = codenames("Writers"), codenames("Editors")
    assert {"add_article", "change_article", "view_article"} <= writers
    assert "publish_article" not in writers
    assert "delete_article" not in writers
    assert {"change_article", "delete_article", "publish_article"} <= editors


def test_writer_creates_a_draft_as_their_own_author(writer):
    client = logged_in(writer)
    page = client.get(ADD)
    assertContains(page, 'value="Submit for review"')
    assertNotContains(page, 'value="Publish now"')
    data = {
        "title": "My first piece",
        "slug": "my-first-piece",
        "dek": "A summary.",
        "body": "Text.",
        "author": writer.author_profile.pk,
        "category": CategoryFactory().pk,
        "status": "published",  # not a field: the status moves only through the workflow
        "published_at_0": "2026-01-05",
        "published_at_1": "09:00:00",
        **NO_FAQ,
    }
    response = client.post(ADD, data)
    assert response.status_code == 302
    article = Article.objects.get(slug="my-first-piece")
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None  # a writer does not set the date
    assert article.author == writer.author_profile


def test_writer_cannot_file_an_article_under_another_author(writer, other_writer):
    draft = ArticleFactory(draft=True, author=writer.author_profile)
    response = logged_in(writer).post(
        change_url(draft), form_data(draft, author=other_writer.author_profile.pk)
    )
    assert response.status_code == 200
    assert "author" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.author == writer.author_profile


@pytest.mark.parametrize("mail_down", [False, True], ids=["mail-up", "mail-down"])
def test_writer_submits_their_draft_and_the_editors_are_told(
    settings, writer, editor, django_capture_on_commit_callbacks, mail_down
):
    if mail_down:  # what the writer submitted is kept all the same
        settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
    draft = ArticleFactory(draft=True, author=writer.author_profile, review_note="Shorter.")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(writer).post(
            change_url(draft), form_data(draft, body="Better.", _submit_for_review="1")
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.body) == (Article.Status.IN_REVIEW, "Better.")
    assert draft.review_note == ""
    if mail_down:
        return
    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert draft.title in message.subject
    assert change_url(draft) in message.body


@pytest.mark.parametrize("action", ["_publish_now", "_schedule", "_unpublish", "_send_back"])
def test_a_writer_cannot_publish_even_by_posting_the_button(writer, action):
    draft = ArticleFactory(draft=True, author=writer.author_profile)
    later = timezone.localtime() + timedelta(days=2)
    data = form_data(
        draft,
        **{action: "1"},
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1="09:00:00",
        review_note="x",
    )
    response = logged_in(writer).post(change_url(draft), data)
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_a_writer_cannot_publish_through_the_list_action(writer):
    draft = ArticleFactory(draft=True, author=writer.author_profile)
    client = logged_in(writer)
    assertNotContains(client.get(CHANGELIST), "publish_selected")
    client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "whose, status, answer",
    [
        ("own", "draft", 302),  # saved
        ("own", "in_review", 403),  # with the editors now
        ("own", "published", 403),
        ("other", "draft", 302),  # not found among their articles: back to the admin index
    ],
)
def test_a_writer_edits_only_their_own_drafts(writer, other_writer, whose, status, answer):
    author = (writer if whose == "own" else other_writer).author_profile
    article = ArticleFactory(author=author, status=status, title="Before")
    response = logged_in(writer).post(change_url(article), form_data(article, title="After"))
    assert response.status_code == answer
    article.refresh_from_db()
    assert article.title == ("After" if (whose, status) == ("own", "draft") else "Before")


def test_a_writer_sees_only_their_own_articles_in_admin_and_preview(writer, other_writer):
    own = ArticleFactory(draft=True, author=writer.author_profile, title="Mine")
    other = ArticleFactory(draft=True, author=other_writer.author_profile, title="Theirs")
    client = logged_in(writer)
    changelist = client.get(CHANGELIST)
    assertContains(changelist, "Mine")
    assertNotContains(changelist, "Theirs")
    assert client.get(own.get_preview_url()).status_code == 200
    assert client.get(other.get_preview_url()).status_code == 404


def test_an_editor_sends_an_article_back_with_a_note_the_writer_reads(
    writer, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(author=writer.author_profile, status="in_review", published_at=None)
    client = logged_in(editor)
    page = client.get(change_url(article))
    for label in ("Publish now", "Schedule", "Send back to writer"):
        assertContains(page, f'value="{label}"')

    refused = client.post(change_url(article), form_data(article, _send_back="1"))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["review_note"] == [
        "Tell the writer what to change before sending it back."
    ]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            change_url(article), form_data(article, _send_back="1", review_note="Cite sources.")
        )
    article.refresh_from_db()
    assert (article.status, article.review_note) == (Article.Status.DRAFT, "Cite sources.")
    (message,) = mail.outbox
    assert message.to == [writer.email]
    assert "Cite sources." in message.body
    assertContains(logged_in(writer).get(change_url(article)), "Cite sources.")


def test_an_editor_publishes_now_and_the_writer_is_told(
    writer, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(author=writer.author_profile, status="in_review", published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(editor).post(change_url(article), form_data(article, _publish_now="1"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_live
    (message,) = mail.outbox
    assert message.to == [writer.email]
    assert message.subject.endswith(f"Published: “{article.title}”")


def test_an_editor_schedules_and_a_time_behind_is_refused_at_the_field(editor):
    article = ArticleFactory(draft=True)
    client = logged_in(editor)
    past = form_data(article, _schedule="1", published_at_0="2020-01-01", published_at_1="09:00")
    refused = client.post(change_url(article), past)
    assert refused.context["adminform"].form.errors["published_at"] == [
        "Pick a date and time ahead to schedule."
    ]
    assert client.post(change_url(article), schedule_data(article)).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled
    assert not Article.objects.published().exists()


def test_an_editor_unpublishes_any_article(editor, writer):
    article = ArticleFactory(author=writer.author_profile)
    response = logged_in(editor).post(change_url(article), form_data(article, _unpublish="1"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_an_editor_uses_the_list_actions(editor):
    draft = ArticleFactory(draft=True)
    client = logged_in(editor)
    client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_live
    client.post(CHANGELIST, {"action": "unpublish_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "role, traits",
    [
        ("writer", {"draft": True}),
        ("editor", {"draft": True}),
        ("editor", {"with_image": True, "is_featured": True}),  # live, image, tags, FAQ
        ("editor", {"scheduled": True, "seo_title": "Search title"}),
    ],
)
def test_saving_the_form_unchanged_changes_nothing(writer, editor, role, traits):
    user = {"writer": writer, "editor": editor}[role]
    article = ArticleFactory(
        author=writer.author_profile,
        review_note="Keep me.",
        body="## A\n\nText.",
        tags=[TagFactory()],
        **traits,
    )
    faq = FAQItemFactory(article=article)
    faq_data = faq_form_data(faq)
    if article.published_at:  # as the form shows it, to the second
        Article.objects.filter(pk=article.pk).update(
            published_at=article.published_at.replace(microsecond=0)
        )
    article.refresh_from_db()
    before = Article.objects.values().get(pk=article.pk)
    response = logged_in(user).post(change_url(article), form_data(article, **faq_data))
    assert response.status_code == 302
    after = Article.objects.values().get(pk=article.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert list(article.tags.all()) == list(Article.objects.get(pk=article.pk).tags.all())
    assert list(article.faqs.values("question", "answer")) == [
        {"question": faq.question, "answer": faq.answer}
    ]


def test_in_review_article_is_not_on_the_site(writer):
    article = ArticleFactory(author=writer.author_profile, status="in_review", published_at=None)
    assert not Article.objects.published().exists()
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_going_live_unpublishing_and_rescheduling_drop_the_pages_at_once(editor):
    reader = Client()
    live = ArticleFactory(title="Already live")
    draft = ArticleFactory(draft=True, title="Fresh news")
    client = logged_in(editor)

    assert reader.get("/articles/")[STATUS_HEADER] == "miss"
    assert reader.get("/articles/")[STATUS_HEADER] == "hit"
    client.post(change_url(draft), form_data(draft, _publish_now="1"))
    assertContains(reader.get("/articles/"), "Fresh news")

    reader.get(live.get_absolute_url())
    assert reader.get(live.get_absolute_url())[STATUS_HEADER] == "hit"
    live.refresh_from_db()
    client.post(change_url(live), schedule_data(live))
    assert reader.get(live.get_absolute_url()).status_code == 404
    assertNotContains(reader.get("/articles/"), "Already live")

    draft.refresh_from_db()
    reader.get(draft.get_absolute_url())
    client.post(change_url(draft), form_data(draft, _unpublish="1"))
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assertNotContains(reader.get("/articles/"), "Fresh news")


def test_scheduling_tells_the_writer_when_it_goes_live(
    writer, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(author=writer.author_profile, status="in_review", published_at=None)
    later = timezone.localtime() + timedelta(days=3)
    data = schedule_data(article, time="09:00:00")
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(editor).post(change_url(article), data)
    (message,) = mail.outbox
    assert message.subject.endswith(f"Scheduled: “{article.title}”")
    assert f"{later:%-d %B %Y}, 09:00" in message.body


def test_a_writer_cannot_delete_and_an_editor_can(writer, editor):
    article = ArticleFactory(draft=True, author=writer.author_profile)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert logged_in(writer).post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()
    assert logged_in(editor).post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_a_writer_picks_categories_and_tags_from_the_autocomplete(writer):
    category = CategoryFactory(name="Interviews")
    url = reverse("admin:autocomplete")
    query = {"app_label": "articles", "model_name": "article", "field_name": "category"}
    answer = logged_in(writer).get(url, {**query, "term": "Inter"})
    assert answer.status_code == 200
    assert answer.json()["results"] == [{"id": str(category.pk), "text": "Interviews"}]
