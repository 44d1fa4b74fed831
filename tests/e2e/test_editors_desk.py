"""The editors' desk in Chromium: a writer submits, an editor publishes; a revision is compared
and restored; the change form fits a laptop's window (screenshots at 1366 and 1920 px)."""

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from articles.models import Article, ArticleDraft
from tests.articles.factories import ArticleFactory, staff_member
from tests.e2e.conftest import DESKTOP_USER_AGENT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the screenshots go: E2E_SCREENSHOTS, or the test's own folder."""
    folder = Path(os.environ.get("E2E_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def open_as(browser, live_server):
    """A browser page signed in to admin as `user`, `width` px wide."""
    contexts = []

    def open_page(user, width: int = 1366):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, user_agent=DESKTOP_USER_AGENT
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text(f"Welcome, {user.username}", exact=False)).to_be_visible()
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_fits_the_window(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_a_writer_submits_and_an_editor_publishes(live_server, open_as, page, screenshots):
    writer, editor = staff_member("Writers", "wendy"), staff_member("Editors", "edith")
    draft = ArticleFactory(draft=True, author=writer.author_profile, title="Notes from the field")
    change = f"{live_server.url}/admin/articles/article/{draft.pk}/change/"

    as_writer = open_as(writer)
    as_writer.goto(change)
    expect(as_writer.get_by_role("button", name="Publish now")).to_have_count(0)
    as_writer.locator("#id_body").fill("## Field notes\n\nWhat a week of interviews taught me.")
    as_writer.get_by_role("button", name="Submit for review").click()
    expect(as_writer.locator(".messagelist")).to_contain_text("waits for an editor's review")
    expect(as_writer.get_by_role("button", name="Submit for review")).to_have_count(0)

    for width in (1920, 1366):  # the last, a laptop, goes on
        as_editor = open_as(editor, width)
        as_editor.goto(change)
        expect(as_editor.locator(".field-editorial_state")).to_contain_text("In review")
        assert_fits_the_window(as_editor)
        as_editor.screenshot(path=screenshots / f"article-change-{width}.png", full_page=True)
    as_editor.get_by_role("button", name="Publish now").click()
    expect(as_editor.locator(".messagelist")).to_contain_text("is live")
    as_editor.goto(f"{live_server.url}/admin/articles/article/")
    results = as_editor.locator(".results")  # every column of the list without scrolling
    assert results.evaluate("table => table.scrollWidth <= table.clientWidth")

    page.goto(live_server.url + draft.get_absolute_url())
    expect(page.get_by_role("heading", name="Field notes")).to_be_visible()
    assert Article.objects.published().filter(pk=draft.pk).exists()


def test_an_editor_compares_and_restores_a_revision(live_server, open_as, page):
    editor = staff_member("Editors", "edith")
    article = ArticleFactory(title="Salary ranges", body="## Pay\n\nThe first figures.")
    as_editor = open_as(editor)
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    for body in ("## Pay\n\nThe first figures.", "## Pay\n\nThe revised figures."):
        as_editor.goto(change)
        as_editor.locator("#id_body").fill(body)
        as_editor.get_by_role("button", name="Save and continue editing").click()
        expect(as_editor.locator(".messagelist")).to_be_visible()

    as_editor.get_by_role("link", name="History").click()
    revisions = as_editor.locator(".article-revisions tbody tr")
    expect(revisions).to_have_count(2)
    assert_fits_the_window(as_editor)
    as_editor.get_by_role("button", name="Compare").click()
    diff = as_editor.locator("table.line-diff")
    expect(diff.locator(".diff-old del")).to_have_text("first")
    expect(diff.locator(".diff-new ins")).to_have_text("revised")
    assert_fits_the_window(as_editor)

    as_editor.get_by_role("button", name="Restore the older revision").click()
    expect(as_editor.locator(".messagelist")).to_contain_text("Restored the revision")
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_text("The first figures.")).to_be_visible()
    as_editor.get_by_role("link", name="History").click()
    expect(revisions).to_have_count(3)  # the restore is a revision of its own
    expect(revisions.first).to_contain_text("Restored the revision of")


def test_an_editor_renames_a_published_article_and_the_old_link_still_leads_to_it(
    live_server, open_as, page
):
    editor = staff_member("Editors", "edith")
    article = ArticleFactory(slug="ml-salaries", title="What ML engineers earn")
    old_url = live_server.url + "/articles/ml-salaries/"
    page.goto(old_url)
    expect(page.get_by_role("heading", name="What ML engineers earn")).to_be_visible()

    as_editor = open_as(editor)
    as_editor.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    as_editor.get_by_label("Slug").fill("ml-engineer-salaries")
    as_editor.get_by_role("button", name="Save", exact=True).click()
    expect(as_editor.locator(".messagelist")).to_be_visible()

    page.goto(old_url)
    expect(page).to_have_url(live_server.url + "/articles/ml-engineer-salaries/")
    expect(page.get_by_role("heading", name="What ML engineers earn")).to_be_visible()


def test_the_toolbar_formats_and_the_preview_follows_the_typing(live_server, open_as):
    article = ArticleFactory(body="Plain text.")
    as_editor = open_as(staff_member("Editors", "edith"))
    as_editor.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    preview = as_editor.locator("#body-preview")
    expect(preview).to_have_text("Plain text.")

    body = as_editor.locator("#id_body")
    body.fill("## Fresh heading\n\nSome words <script>x</script>")
    expect(preview.locator("h2")).to_have_text("Fresh heading")
    expect(preview.locator("script")).to_have_count(0)  # sanitised as on the public page
    body.evaluate("field => field.setSelectionRange(18, 22)")  # "Some"
    as_editor.get_by_role("button", name="Bold").click()
    expect(preview.locator("strong")).to_have_text("Some")
    assert "**Some**" in body.input_value()
    as_editor.get_by_role("button", name="Table").click()
    expect(preview.locator("table th")).to_have_count(2)


def test_text_typed_before_the_connection_was_lost_is_offered_back(live_server, open_as):
    article = ArticleFactory(body="What was saved.")
    as_editor = open_as(staff_member("Editors", "edith"))
    change = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    as_editor.goto(change)
    as_editor.locator("#id_body").fill("What was typed, never saved.")
    dialogs = []
    as_editor.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))

    as_editor.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        as_editor.goto(change)
    assert dialogs == ["beforeunload"]  # leaving with unsaved changes asked first
    as_editor.context.set_offline(False)

    as_editor.goto(change)
    expect(as_editor.locator("#id_body")).to_have_value("What was saved.")
    offer = as_editor.get_by_role("alert")
    expect(offer).to_contain_text("kept changes that were not saved")
    offer.get_by_role("button", name="Restore them").click()
    expect(as_editor.locator("#id_body")).to_have_value("What was typed, never saved.")
    expect(as_editor.locator("#body-preview")).to_have_text("What was typed, never saved.")
    as_editor.get_by_role("button", name="Save and continue editing").click()
    expect(as_editor.get_by_role("alert")).to_have_count(0)  # saved: nothing more to offer
    article.refresh_from_db()
    assert article.body == "What was typed, never saved."


def test_text_autosaved_from_another_browser_is_offered_back(live_server, open_as):
    editor = staff_member("Editors", "edith")
    article = ArticleFactory(body="What was saved.")
    ArticleDraft.objects.create(
        article=article,
        user=editor,
        values={"body": "Typed on the laptop that ran out of battery."},
        saved_at=timezone.now(),
    )
    as_editor = open_as(editor)  # a browser that kept nothing itself
    as_editor.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    as_editor.get_by_role("alert").get_by_role("button", name="Restore them").click()
    expect(as_editor.locator("#id_body")).to_have_value(
        "Typed on the laptop that ran out of battery."
    )
