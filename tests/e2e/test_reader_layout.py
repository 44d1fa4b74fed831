"""Every page of the demo site, as readers see it on a phone and a laptop: nothing wider than the
window, the call to action and search in reach, targets big enough, no console error, and no
axe-core violation."""

from contextlib import nullcontext

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, Author, Category, SitePage, Tag
from comments.models import Comment
from tests.articles.factories import ArticleFactory

from .conftest import DESKTOP_USER_AGENT
from .test_accessibility import format_violations
from .test_reader_journey import open_article_and_wait_for_view_beacon

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
        *(
            [reverse("articles:list") + "?page=2"]
            if len(articles) > settings.ARTICLES_PER_PAGE
            else []
        ),
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


# WCAG 2.2 AA too: its target-size rule (24 by 24 px, or spaced so) is the one the footer failed.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1366"])
def test_axe_finds_no_violation_on_any_demo_page(browser, live_server, demo_paths, viewport):
    context, page = open_page(browser, viewport)
    found = []
    for path in demo_paths:
        page.goto(live_server.url + path)
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            found.append(format_violations(path, violations))
    context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "user_agent",
    [DESKTOP_USER_AGENT, None, "Googlebot/2.1 (+http://www.google.com/bot.html)"],
    ids=["desktop", "headless-audit-tool", "crawler"],
)
def test_no_page_logs_an_error_in_the_console(browser, live_server, demo_paths, user_agent):
    """The article pages post their view beacon: it answers every client, counted or not, without
    an error (a crawler or an audit tool is not counted, and not refused either)."""
    context = browser.new_context(
        viewport=PHONE, **({"user_agent": user_agent} if user_agent else {})
    )
    page = context.new_page()
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append((page.url, message.text)) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append((page.url, str(error))))
    for path in demo_paths:
        if path == "/no-such-page/":
            continue  # the browser reports a page's own 404 in the console, rightly
        with (
            page.expect_response(lambda response: "/view/" in response.url)
            if is_article(path)
            else nullcontext()
        ):
            page.goto(live_server.url + path)
    context.close()
    assert not errors


def is_article(path: str) -> bool:
    return path.startswith("/articles/") and path.count("/") == 3 and "?" not in path


def test_the_footer_sits_at_the_bottom_of_a_short_page(browser, live_server, demo_paths):
    context, page = open_page(browser, {"width": 1366, "height": 1400})
    page.goto(live_server.url + "/no-such-page/")
    footer = page.locator(".site-footer").bounding_box()
    context.close()
    assert footer["y"] + footer["height"] == pytest.approx(1400, abs=1)


def test_the_404_page_offers_a_search_and_its_buttons_line_up_on_a_phone(
    browser, live_server, demo_paths
):
    context, page = open_page(browser, PHONE)
    page.goto(live_server.url + "/no-such-page/")
    page.get_by_role("searchbox", name="Search the articles").fill("portfolio")
    buttons = [page.locator(".error-actions .btn").nth(i).bounding_box() for i in range(2)]
    assert buttons[0]["x"] == buttons[1]["x"] and buttons[0]["width"] == buttons[1]["width"]
    page.get_by_role("main").get_by_role("button", name="Search").click()
    assert page.url.endswith("/search/?q=portfolio")
    context.close()


def test_the_view_count_appears_once_the_beacon_brings_it_to_100(
    live_server, page, transactional_db
):
    """The page came with 99 views, too few to show (hidden); the beacon's answer shows 100."""
    article = ArticleFactory(view_count=99)

    assert open_article_and_wait_for_view_beacon(page, live_server, article).status == 200

    expect(page.locator(".view-count")).to_have_text("100 Views")
    expect(page.locator(".view-count-item")).to_be_visible()
