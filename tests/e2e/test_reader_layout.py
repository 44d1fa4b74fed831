"""Every page of the demo site, as readers see it on a phone and a laptop: nothing wider than the
window, the call to action and search in reach, targets big enough, no console error, and no
axe-core violation."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, Author, Category, SitePage, Tag
from comments.models import Comment
from tests.articles.factories import ArticleFactory

from .conftest import DESKTOP_USER_AGENT

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo_paths(transactional_db) -> list[str]:
    """Every public page of the demo content (`manage.py seed_demo`)."""
    call_command("seed_demo")
    articles = list(Article.objects.published())
    return [
        reverse("articles:home"),
        reverse("articles:list"),
        reverse("articles:list") + "?page=2",
        reverse("articles:search") + "?q=portfolio",
        reverse("articles:search") + "?q=nothing-matches-this",
        *(article.get_absolute_url() for article in articles),
        *(reverse("comments:create", args=[article.slug]) for article in articles[:1]),
        *(category.get_absolute_url() for category in Category.objects.all()),
        *(tag.get_absolute_url() for tag in Tag.objects.filter(articles__in=articles).distinct()),
        *(author.get_absolute_url() for author in Author.objects.all()),
        *(page.get_absolute_url() for page in SitePage.objects.all()),
        *(page.get_version_url() for page in SitePage.objects.all()[:1]),
        reverse("leads:create"),
        "/no-such-page/",
    ]


def open_page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport)
    return context, context.new_page()


def test_no_demo_page_is_wider_than_a_phone(browser, live_server, demo_paths):
    context, page = open_page(browser, PHONE)
    too_wide = {}
    for path in demo_paths:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert not too_wide


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_the_call_to_action_and_search_are_in_sight_without_opening_the_menu(
    browser, live_server, demo_paths, viewport
):
    context, page = open_page(browser, viewport)
    article_path = next(
        path
        for path in demo_paths
        if path.startswith("/articles/") and "?" not in path and path != "/articles/"
    )
    for path in (reverse("articles:home"), article_path):
        page.goto(live_server.url + path)
        for selector in (".site-header .lead-header-button", "#site-search-q"):
            box = page.locator(selector).bounding_box()
            assert page.locator(selector).is_visible(), (path, selector)
            assert box["y"] + box["height"] <= viewport["height"], (path, selector)
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (path, selector)
    context.close()


def test_a_reader_on_a_phone_types_a_website_without_https_and_is_told_what_happens(
    browser, live_server, settings, transactional_db
):
    settings.COMMENTS_MIN_SECONDS_TO_SUBMIT = 0  # the speed rule has its own tests
    article = ArticleFactory()
    context = browser.new_context(viewport=PHONE, user_agent=DESKTOP_USER_AGENT)
    page = context.new_page()
    page.goto(live_server.url + reverse("comments:create", args=[article.slug]))
    page.get_by_role("textbox", name="Comment").fill("How many projects should a portfolio show?")
    page.get_by_role("textbox", name="Name").fill("Sam Reader")
    page.get_by_role("textbox", name="Email").fill("sam@example.org")
    page.get_by_role("textbox", name="Website").fill("example.com")
    page.get_by_role("button", name="Post Comment").click()

    comment = Comment.objects.get()
    assert comment.author_url == "https://example.com"
    expect(page.locator(f"#comment-{comment.pk} [role=status]")).to_have_text(
        "Thank you: your comment was received and is awaiting moderation. Other readers will "
        "see it once a moderator approves it."
    )
    context.close()
