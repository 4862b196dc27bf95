"""Browser journey: the statistics pages on a 360 px phone and at a 1366 px desk.

On a phone the page never scrolls sideways: the totals come first as tiles, the filters fold behind
one control that counts the active ones, and wide tables scroll inside their own focusable region.
At a desk the filters stand open and the trend's date axis shows more labels.

Screenshots go to $PHONE_SCREENSHOTS_DIR when it is set (for a person to look at). axe-core
(tests/e2e/accessibility.py) checks both pages for serious and critical violations at both sizes.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses.models import Partner
from reporting.models import Target
from reporting.services.days_held import days_held_add
from reporting.services.targets import target_save
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import course_make, day_make, learner_make
from tests.reporting.test_days_held import run_make, seats_make
from tests.reporting.test_selectors import counts_add

pytestmark = [pytest.mark.e2e]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 768}}
NATIONAL, HANOI = "/statistics/", "/statistics/province/01/"


@pytest.fixture
def figures(province_hanoi, commune_hanoi, ministry_staff) -> None:
    """A month of enrolments and completions in Hà Nội and the country, a long-named target, and a day held."""
    today = timezone.localdate()
    start = today - timedelta(days=29)
    for province_id in (-1, province_hanoi.id):
        counts_add(start=start, end=today, per_day=1234, province_id=province_id)
        counts_add(start=start, end=today, kind="course_completed", per_day=321, province_id=province_id)
    target_save(
        target=Target(
            name="Cán bộ, công chức hoàn thành khóa học chuyển đổi số năm nay",
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
            goal=10_000_000,
        )
    )
    partner = Partner.objects.create(name="Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel)")
    day = day_make(run_make(course_make(province=None)), commune_hanoi, ministry_staff, starts_in=-timedelta(days=3))
    day.partners.set([partner])
    seats_make(day, [learner_make(commune=commune_hanoi) for _ in range(3)])
    days_held_add()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PHONE_SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"statistics14-{name}.png"), full_page=True)


def signed_in(new_page, live_server, email: str, **context) -> Page:
    page = new_page(**context)
    sign_in(page, live_server, email, PASSWORD)
    return page


def assert_reads_on_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
    # The first figure is on the first screen.
    first = page.locator("#totals [data-measure='learners']")
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + box["height"] <= 740, f"the first figure is at {box}, below the first screen"
    # The filters are folded behind one control.
    expect(page.locator("details.filter-panel > summary")).to_be_visible()
    expect(page.locator("#id_audience")).to_be_hidden()
    # The province or commune table is wider than the phone and scrolls inside its region.
    region = page.locator("div.table-scroll[role=region][tabindex='0']:has(#places)")
    expect(region).to_be_visible()
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    # The in-person days: tiles, and the partner table in its own region.
    expect(page.locator("#days-held-totals [data-days='days']")).to_have_text("1")
    expect(page.locator("div.table-scroll[role=region][tabindex='0']:has(#days-by-partner)")).to_be_visible()
    assert page.js_errors == []


def test_the_national_page_fits_a_phone(new_page, live_server, ministry_staff, figures):
    page = signed_in(new_page, live_server, ministry_staff.email, **PHONE)
    page.goto(live_server.url + NATIONAL)
    screenshot(page, "national-360")

    assert_reads_on_a_phone(page)
    # The targets table keeps its name column readable rather than one word a line.
    assert page.locator("table.targets tbody th").first.bounding_box()["width"] >= 200
    # The map has Vietnam's outline and a legend; the trend a few dates under its bars.
    expect(page.locator("svg.province-map path.outline")).to_be_visible()
    expect(page.locator("svg.province-map .legend circle").first).to_be_visible()
    visible_dates = [label for label in page.locator("svg.date-axis text").all() if label.is_visible()]
    assert 2 <= len(visible_dates) <= 5


def test_the_provincial_page_fits_a_phone(new_page, live_server, admin_hanoi, figures):
    page = signed_in(new_page, live_server, admin_hanoi.email, **PHONE)
    page.goto(live_server.url + HANOI)
    screenshot(page, "province-360")

    assert_reads_on_a_phone(page)


def test_the_folded_filters_count_the_active_ones_and_apply_from_a_phone(new_page, live_server, ministry_staff):
    page = signed_in(new_page, live_server, ministry_staff.email, **PHONE)
    page.goto(live_server.url + NATIONAL + "?audience=public&trend=week")

    summary = page.locator("details.filter-panel > summary")
    expect(summary).to_contain_text("(2)")
    summary.click()
    expect(page.locator("#id_audience")).to_be_visible()
    submit = page.locator("form.dashboard-filters button[type=submit]")
    expect(submit).to_have_css("background-color", "rgb(11, 92, 173)")  # the site's primary button
    screenshot(page, "national-360-filters-open")
    page.locator("#id_trend").select_option("day")
    with page.expect_navigation():
        submit.click()
    assert "audience=public" in page.url and "trend=day" in page.url, page.url
    expect(page.locator("details.filter-panel > summary")).to_contain_text("(1)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_at_a_desk_the_filters_stand_open_and_the_axis_has_more_dates(new_page, live_server, ministry_staff, figures):
    page = signed_in(new_page, live_server, ministry_staff.email, **DESK)
    page.goto(live_server.url + NATIONAL)
    screenshot(page, "national-1366")

    expect(page.locator("#id_audience")).to_be_visible()
    visible_dates = [label for label in page.locator("svg.date-axis text").all() if label.is_visible()]
    assert len(visible_dates) > 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page.js_errors == []


@pytest.mark.parametrize("context", [PHONE, DESK], ids=["360", "1366"])
def test_axe_finds_nothing_serious_on_the_statistics_pages(
    new_page, live_server, ministry_staff, admin_hanoi, figures, context
):
    for user, path in ((ministry_staff, NATIONAL), (admin_hanoi, HANOI)):
        page = signed_in(new_page, live_server, user.email, **context)
        page.goto(live_server.url + path)
        assert_accessible(page, f"{path} at {page.viewport_size['width']} px")
