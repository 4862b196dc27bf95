"""Steps shared by the browser journeys: signing in, reading the path, waiting on the database."""

import time
from urllib.parse import urlsplit

from playwright.sync_api import Page


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form:has(#id_login) button[type=submit]").click()
    assert path_of(page) != "/accounts/login/", f"signing in as {email} failed"


def wait_until(check, *, timeout: float = 10, what: str):
    """Poll check() (a database read) until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
