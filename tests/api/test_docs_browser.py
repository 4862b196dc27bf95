"""/api/docs/ in Debian's Chromium: Swagger UI renders the schema, with no console error and no CSP violation."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS


@pytest.fixture
def chromium_page(monkeypatch):
    """A headless Chromium page; Playwright's loop runs in this thread, so the ORM check is off meanwhile."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        yield context.new_page()
        browser.close()


def test_docs_render_without_console_errors(live_server, chromium_page):
    page = chromium_page
    problems: list[str] = []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").filter(has_text="OneTouch API").wait_for()
    # The two operations of the schema are drawn, so the schema was fetched and parsed.
    page.locator(".opblock-summary-path", has_text="/api/v1/courses/{slug}/").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/courses/").first.wait_for()

    assert problems == []
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), requests
