"""Browser journey: the catalogue on a 360 px phone shows courses first, the filters folded behind
one control that counts the active ones; at a desk the filters stand open beside the results.

Screenshots of both widths after a search go to $PHONE_SCREENSHOTS_DIR when it is set (for a
person to look at); the assertions never depend on them.
"""

import os

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("platform_data")]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 768}}
SEARCH = "/courses/?q=chuyen+doi+so"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PHONE_SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"phone14-{name}.png"))


def search_from_the_catalogue(page: Page, live_server) -> None:
    page.goto(live_server.url + "/courses/")
    page.locator("#id_q").fill("chuyen doi so")
    with page.expect_navigation():
        page.locator("#id_q").press("Enter")


def test_after_a_search_the_first_course_fills_the_first_phone_screen(new_page, live_server) -> None:
    page = new_page(**PHONE)
    search_from_the_catalogue(page, live_server)
    screenshot(page, "catalogue-360")

    card = page.locator("ul.cards > li.card").first
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740, f"the first course card is at {box}, not in 740 px"
    # The filters are folded: the audience select is hidden until the control is opened.
    expect(page.locator("#id_audience")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.js_errors == []


def test_the_filter_control_counts_the_active_filters_and_opens(new_page, live_server) -> None:
    page = new_page(**PHONE)
    page.goto(live_server.url + SEARCH + "&audience=commune_leader&format=online&sort=popular")

    summary = page.locator("details.filter-panel > summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("(2)")  # audience and format; the search and the order do not count
    expect(page.locator("#id_audience")).to_be_hidden()

    summary.click()
    expect(page.locator("#id_audience")).to_be_visible()
    screenshot(page, "catalogue-360-filters-open")
    expect(page.locator("#id_audience")).to_have_value("commune_leader")
    # A filter is applied from the phone and the search is kept.
    page.locator("#id_audience").select_option("")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert "q=chuyen+doi+so" in page.url and "format=online" in page.url, page.url
    expect(summary).to_contain_text("(1)")  # the format is left
    assert page.js_errors == []


def test_at_a_desk_the_filters_stand_open_beside_the_results(new_page, live_server) -> None:
    page = new_page(**DESK)
    search_from_the_catalogue(page, live_server)
    screenshot(page, "catalogue-1366")

    for name in ("audience", "topic", "province", "format", "sort"):
        expect(page.locator(f"#id_{name}")).to_be_visible()
    filters = page.locator("form.filters").bounding_box()
    first_card = page.locator("ul.cards > li.card").first.bounding_box()
    assert filters["x"] + filters["width"] <= first_card["x"], "the filters should sit beside the results"
    assert first_card["y"] + first_card["height"] <= 768
    assert page.js_errors == []
