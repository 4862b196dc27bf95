"""/api/docs/ in Debian's Chromium: Swagger UI renders the schema, with no console error and no CSP violation."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

from courses.models import Course
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.factories import course_make


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
        context.close()
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


@pytest.fixture
def course(admin_units) -> Course:
    return course_make(title="Kỹ năng số cơ bản")


# The data is made before the browser starts: no ORM call while Playwright's loop runs in this thread.
def test_a_key_entered_in_the_docs_calls_the_api_from_the_page(live_server, keys, course, chromium_page):
    """Authorize with a key, "Try it out" on the course list: the page's own request answers 200, CSP and all."""
    page = chromium_page
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").first.fill(keys["province_a"])
    page.locator(".auth-btn-wrapper button.authorize").first.click()
    page.locator(".auth-btn-wrapper button.btn-done").first.click()
    operation = page.locator("#operations-courses-courses_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda response: "/api/v1/courses/" in response.url) as answer:
        operation.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    assert answer.value.request.headers["authorization"] == f"Bearer {keys['province_a']}"
    operation.locator(".responses-table .response-col_status", has_text="200").first.wait_for()
    assert course.slug in operation.locator(".live-responses-table").inner_text()
    assert problems == []
