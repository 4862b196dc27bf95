"""Fixtures of the browser journeys: Debian's Chromium driven by Playwright against live_server.

Playwright's sync API keeps an asyncio loop marked as running in the test thread from its start
to its stop, and Django refuses ORM calls while a loop runs there ("You cannot call this from an
async context"). The journeys call the ORM only between browser steps, so the check is switched
off (DJANGO_ALLOW_ASYNC_UNSAFE) for exactly as long as Playwright runs: from the first journey of
this package to its last. Neither the variable nor the loop outlive the package, so the other
tests keep Django's async-safety check, and subprocesses started by later tests (manage.py check
--deploy rejects the variable with async.E001) do not inherit it.
"""

import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A step that takes longer than this on a local server is a failure, not a slow page.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def async_unsafe_allowed():
    """Let the test thread use the ORM while Playwright's loop runs; restored after the package."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(async_unsafe_allowed) -> Browser:
    """One headless Chromium for every journey of the package, closed after the last one."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def context_page(browser: Browser, **context_options) -> Page:
    """Open a fresh context (its own cookies and cache) and return its page.

    Uncaught JavaScript errors are collected on page.js_errors so a journey can assert none
    happened; closing the page's context is the caller's job (page.context.close()).
    """
    options = {"locale": "vi-VN", "viewport": {"width": 1280, "height": 900}} | context_options
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


@pytest.fixture
def new_page(browser: Browser):
    """Factory for pages with their own context options (no JavaScript, a phone's viewport…)."""
    pages: list[Page] = []

    def make(**context_options) -> Page:
        page = context_page(browser, **context_options)
        pages.append(page)
        return page

    yield make
    for page in pages:
        # Closing a page sends what its scripts send on leaving (a lesson's last heartbeat): refused
        # here, so no request reaches the live server while the test database is being flushed.
        page.context.route("**/*", lambda route: route.abort())
        page.context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A desktop-sized page with JavaScript on, in a context of its own."""
    return new_page()


@pytest.fixture
def platform_data(transactional_db) -> None:
    """The 34 provinces with their 3,321 communes and the 14 demo courses, loaded per test.

    live_server needs the transactional database, which is flushed after every test, so the
    data is loaded again through the project's own services for each journey.
    """
    from courses.demo.catalogue import demo_catalogue_load
    from onetouch.services.admin_units import admin_units_load

    provinces, communes = admin_units_load()
    courses = demo_catalogue_load(with_media=False)
    assert (provinces, communes, courses) == (34, 3321, 14)
