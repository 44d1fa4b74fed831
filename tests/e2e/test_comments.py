"""A discussion in Chromium: post, moderate in admin, read, reply with the JS reply link; axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from comments.models import Comment
from tests.articles.factories import ArticleFactory
from tests.comments.factories import moderators_group
from tests.e2e.conftest import DESKTOP_USER_AGENT
from tests.e2e.test_accessibility import AXE_OPTIONS, format_violations


@pytest.fixture
def reader_page(browser):
    """A second reader, in a browser context (cookies, session) of their own."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=DESKTOP_USER_AGENT
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def moderator_page(browser, django_user_model):
    user = django_user_model.objects.create_user(
        "moderator", password="moderate-well-42", is_staff=True
    )
    user.groups.add(moderators_group())
    context = browser.new_context(user_agent=DESKTOP_USER_AGENT)
    yield context.new_page()
    context.close()


def test_comment_is_posted_moderated_read_and_replied_to(
    live_server, page, reader_page, moderator_page, settings
):
    settings.COMMENTS_MIN_SECONDS_TO_SUBMIT = 0  # the speed rule has its own tests
    article = ArticleFactory(title="How to become a machine learning engineer")
    article_url = live_server.url + article.get_absolute_url()

    # A reader posts a comment and lands on it, awaiting moderation.
    page.goto(article_url)
    question = "Which maths should I learn first?\nI know some Python."
    page.get_by_role("textbox", name="Comment").fill(question)
    page.get_by_role("textbox", name="Name").fill("Ada Reader")
    page.get_by_role("textbox", name="Email").fill("ada@example.com")
    page.get_by_role("button", name="Post Comment").click()
    comment = Comment.objects.get()
    expect(page).to_have_url(f"{article_url}#comment-{comment.pk}")
    own = page.locator(f"#comment-{comment.pk}")
    expect(own).to_contain_text("your comment was received and is awaiting moderation")
    expect(own).to_contain_text("Which maths should I learn first?")

    # Nobody else sees it yet.
    reader_page.goto(article_url)
    expect(reader_page.get_by_text("Which maths should I learn first?")).to_have_count(0)

    # A moderator approves it in admin.
    moderator_page.goto(f"{live_server.url}/admin/comments/comment/?status=pending")
    moderator_page.get_by_label("Username").fill("moderator")
    moderator_page.get_by_label("Password").fill("moderate-well-42")
    moderator_page.get_by_role("button", name="Log in").click()
    row = moderator_page.locator("#result_list tbody tr", has_text="Ada Reader")
    row.locator("input.action-select").check()
    moderator_page.locator("select[name=action]").select_option("mark_approved")
    moderator_page.get_by_role("button", name="Go").click()
    expect(moderator_page.locator(".messagelist")).to_contain_text("1 comment(s) changed")

    # Another reader sees it, and replies with the JavaScript reply link.
    reader_page.goto(article_url)
    approved = reader_page.locator(f"#comment-{comment.pk}")
    expect(approved).to_contain_text("Which maths should I learn first?")
    expect(approved).not_to_contain_text("awaiting moderation")
    expect(reader_page.locator(".comment-count")).to_have_text("1 Comment")
    approved.get_by_role("link", name="Reply to Ada Reader").click()
    respond = approved.locator("#respond")
    expect(respond).to_be_visible()  # the form moved under the comment, without a page load
    expect(respond.locator(".comment-reply-heading")).to_have_text("Reply to Ada Reader")
    cancel = reader_page.get_by_role("link", name="Cancel reply")
    expect(cancel).to_be_visible()
    expect(reader_page.get_by_role("textbox", name="Comment")).to_be_focused()
    cancel.click()  # the form goes back under the thread, then comes again with Reply
    expect(approved.locator("#respond")).to_have_count(0)
    expect(reader_page.locator(".comment-reply-heading")).to_have_text("Leave a Reply")
    approved.get_by_role("link", name="Reply to Ada Reader").click()
    expect(respond).to_be_visible()
    reader_page.get_by_role("textbox", name="Comment").fill("Linear algebra, then probability.")
    reader_page.get_by_role("textbox", name="Name").fill("Bea Mentor")
    reader_page.get_by_role("textbox", name="Email").fill("bea@example.com")
    reader_page.get_by_role("button", name="Post Comment").click()

    reply = Comment.objects.get(author_name="Bea Mentor")
    assert reply.parent == comment
    expect(reader_page).to_have_url(f"{article_url}#comment-{reply.pk}")
    nested = reader_page.locator(f"#comment-{comment.pk} > ol.children > #comment-{reply.pk}")
    expect(nested).to_contain_text("your comment was received and is awaiting moderation")


def test_article_page_with_comments_has_no_axe_violations(live_server, page):
    article = ArticleFactory()
    parent = Comment.objects.create(
        article=article,
        author_name="Grace Hopper",
        author_email="grace@example.com",
        author_url="https://grace.example",
        body="A first comment with a link: https://example.org/guide",
        status=Comment.Status.APPROVED,
    )
    Comment.objects.create(
        article=article,
        parent=parent,
        depth=2,
        author_name="Alan Turing",
        author_email="alan@example.com",
        body="A reply.\n\nIn two paragraphs.",
        status=Comment.Status.APPROVED,
    )
    page.goto(live_server.url + article.get_absolute_url())

    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, format_violations(article.get_absolute_url(), violations)

    # And with the reply form moved under a comment.
    page.locator(".comment-reply-link").first.click()
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, format_violations(article.get_absolute_url(), violations)


def test_without_javascript_a_cached_page_leads_to_the_form_and_the_comment_posts(
    live_server, browser, settings
):
    settings.COMMENTS_MIN_SECONDS_TO_SUBMIT = 0
    article = ArticleFactory(title="Is a master's degree worth it for AI roles?")
    parent = Comment.objects.create(
        article=article, author_name="Grace", body="It depends.", status=Comment.Status.APPROVED
    )
    context = browser.new_context(java_script_enabled=False, user_agent=DESKTOP_USER_AGENT)
    page = context.new_page()
    article_url = live_server.url + article.get_absolute_url()
    page.goto(article_url)
    page.goto(article_url)  # now from the shared cache: no form in it, a link to one

    page.get_by_role("link", name="Reply to Grace").click()
    expect(page.locator(".comment-reply-heading")).to_have_text("Reply to Grace")
    page.get_by_role("textbox", name="Comment").fill("On the role, mostly.")
    page.get_by_role("textbox", name="Name").fill("Noel Script")
    page.get_by_role("textbox", name="Email").fill("noel@example.com")
    page.get_by_role("button", name="Post Comment").click()

    reply = Comment.objects.get(author_name="Noel Script")
    assert reply.parent == parent
    expect(page).to_have_url(f"{article_url}#comment-{reply.pk}")
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("awaiting moderation")
    context.close()
