import importlib

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.core.cache import cache
from playwright.sync_api import Page, expect

from leads.models import Lead, Submission
from tests.articles.factories import ArticleFactory
from tests.leads.factories import ProgramFactory

from .conftest import DESKTOP_USER_AGENT
from .test_accessibility import AXE_OPTIONS, format_violations


@pytest.fixture(autouse=True)
def leads_setup(settings, transactional_db):
    # A browser fills the form in well under the time trap's few seconds.
    settings.LEADS_MIN_FILL_SECONDS = 0
    cache.clear()
    migration = importlib.import_module("leads.migrations.0002_coaches_group_and_consent_text")
    migration.create_group_and_consent(apps, None)
    return ProgramFactory(name="Machine Learning Engineering Bootcamp")


def fill_the_rest(form, *, email: str = "grace@example.com") -> None:
    form.get_by_role("textbox", name="Last name").fill("Hopper")
    form.get_by_role("textbox", name="E-mail").fill(email)
    form.get_by_label("Program of interest").select_option(
        label="Machine Learning Engineering Bootcamp"
    )
    form.get_by_label("I agree that an enrollment coach may contact me").check()


def test_reader_asks_for_information_from_an_article_in_the_modal(live_server, page: Page):
    article = ArticleFactory(title="How to become a machine learning engineer")
    page.goto(live_server.url + article.get_absolute_url())

    opener = page.locator(".lead-cta").get_by_role("link", name="Get more information")
    opener.click()
    dialog = page.get_by_role("dialog", name="Get more information")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("textbox", name="First name")).to_be_focused()

    dialog.get_by_role("textbox", name="First name").fill("Grace")
    dialog.get_by_role("textbox", name="E-mail").fill("not an address")
    dialog.get_by_role("button", name="Send my request").click()

    expect(
        dialog.get_by_text("Enter a valid e-mail address, like name@example.com.")
    ).to_be_visible()
    expect(dialog.get_by_text("Tick this box so that a coach may contact you.")).to_be_visible()
    expect(dialog.get_by_role("textbox", name="First name")).to_have_value("Grace")  # kept
    assert not Lead.objects.exists()

    fill_the_rest(dialog)
    dialog.get_by_role("button", name="Send my request").click()

    expect(dialog.get_by_role("status")).to_contain_text(
        "An enrollment coach will contact you within one business day."
    )
    expect(dialog.get_by_role("heading", name="Thank you!")).to_be_focused()
    submission = Submission.objects.get()
    assert submission.article == article
    assert submission.page == article.get_absolute_url()
    assert submission.lead.email == "grace@example.com"

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_header_button_opens_the_modal_and_the_close_button_returns_focus(live_server, page: Page):
    page.goto(live_server.url + "/")
    opener = page.locator(".site-header").get_by_role("link", name="Get more information")

    opener.click()
    dialog = page.get_by_role("dialog", name="Get more information")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()

    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    expect(page).to_have_url(live_server.url + "/")


def test_without_javascript_the_request_goes_through_the_get_info_page(live_server, browser):
    article = ArticleFactory()
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": 1280, "height": 900},
        user_agent=DESKTOP_USER_AGENT,
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + article.get_absolute_url())
        page.locator(".lead-cta").get_by_role("link", name="Get more information").click()
        expect(page).to_have_url(f"{live_server.url}/get-info/?article={article.slug}")

        form = page.locator("form.lead-page-form")
        form.get_by_role("textbox", name="First name").fill("Grace")
        form.get_by_label("Message").fill("Evening classes?")
        form.get_by_role("button", name="Send my request").click()

        expect(page.get_by_text("Please correct the 4 fields marked below.")).to_be_visible()
        expect(page.get_by_text("Choose the program you would like to hear about.")).to_be_visible()
        expect(form.get_by_role("textbox", name="First name")).to_have_value("Grace")
        expect(form.get_by_label("Message")).to_have_value("Evening classes?")

        fill_the_rest(form, email="grace.nojs@example.com")
        form.get_by_role("button", name="Send my request").click()

        expect(page).to_have_url(live_server.url + "/get-info/thanks/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your request")
        expect(
            page.get_by_text("An enrollment coach will contact you within one business day.")
        ).to_be_visible()
        submission = Submission.objects.get()
        assert submission.article == article
        assert submission.message == "Evening classes?"
    finally:
        context.close()


def test_open_modal_with_errors_has_no_wcag_a_or_aa_violations(live_server, page: Page):
    article = ArticleFactory()
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(".lead-cta").get_by_role("link", name="Get more information").click()
    dialog = page.get_by_role("dialog", name="Get more information")
    expect(dialog).to_be_visible()

    results = Axe().run(page, options=AXE_OPTIONS)
    assert not results.response["violations"], format_violations(
        "modal", results.response["violations"]
    )

    dialog.get_by_role("button", name="Send my request").click()
    expect(dialog.get_by_text("This field is required.").first).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert not results.response["violations"], format_violations(
        "modal with errors", results.response["violations"]
    )


@pytest.mark.parametrize("path", ["/get-info/", "/get-info/thanks/"])
def test_lead_pages_have_no_wcag_a_or_aa_violations(live_server, page: Page, path):
    page.goto(live_server.url + path)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert not results.response["violations"], format_violations(
        path, results.response["violations"]
    )


def test_get_info_page_with_errors_has_no_wcag_a_or_aa_violations(live_server, page: Page):
    # The page's own POST (no modal on /get-info/), as without JavaScript; axe needs a script.
    page.goto(live_server.url + "/get-info/")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_violations("/get-info/ with errors", violations)
