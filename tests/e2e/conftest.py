import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop running in the test thread, so Django would refuse the
# ORM calls that tests make there (factories, assertions on rows) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Headless Chromium announces itself as "HeadlessChrome", which the view counter rightly takes for a
# bot; the tests read the site as a reader's desktop browser would.
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM_PATH.exists():
        reason = "Debian's chromium is not installed: apt-get install chromium"
        if os.environ.get("CI"):
            # CI must run the browser tests: a missing browser there is a broken image, not a skip.
            pytest.fail(reason)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, user_agent=DESKTOP_USER_AGENT
    )
    yield context.new_page()
    context.close()
