"""Browser journey: a Hà Nội admin schedules a run's in-person day in the studio on a desktop, an
enrolled learner signs up for it on a 360 px phone, and the day's trainer finds them on the roster.
Headless Chromium against a live server.

Elements are found by id, name, value and href, never by interface text (the interface is Vietnamese).
"""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from courses.models import Partner
from courses.services.catalogue import course_run_create
from inperson.models import DaySeat, InPersonDay
from inperson.services.trainers import trainer_create
from learners.services.enrolments import enrolment_create
from onetouch.models import User
from onetouch.services.staff_accounts import staff_account_create
from tests.conftest import PASSWORD
from tests.e2e.journeys import path_of, sign_in
from tests.factories import course_make

pytestmark = [pytest.mark.e2e]

# Set SCREENSHOTS=<folder> to keep the pages' pictures for a look.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_admin_schedules_the_day_a_learner_signs_up_and_the_trainer_sees_the_roster(
    live_server, new_page, province_hanoi, commune_hanoi, admin_hanoi, learner_hanoi
):
    course = course_make(title="Thanh toán không dùng tiền mặt", province=province_hanoi)
    today = timezone.localdate()
    run = course_run_create(
        course=course,
        title="Đợt tháng 12",
        starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=37),
    )
    partner = Partner.objects.create(name="Bưu điện Hà Nội", kind=Partner.Kind.POSTAL)
    trainer_account = staff_account_create(
        email="giangvien.buudien@example.vn",
        full_name="Trần Thị Giảng",
        role=User.Role.PARTNER_TRAINER,
        password=PASSWORD,
    )
    trainer = trainer_create(user=trainer_account, partner=partner)
    day_date = run.starts_on + dt.timedelta(days=3)

    admin = new_page(viewport={"width": 1366, "height": 900})
    sign_in(admin, live_server, admin_hanoi.email, PASSWORD)
    admin.goto(f"{live_server.url}/studio/courses/{course.id}/")
    admin.locator(f"a[href='/studio/courses/{course.id}/days/']").click()
    shoot(admin, "studio-days-empty-1366")
    admin.locator(f"a[href='/studio/runs/{run.id}/day/']").click()
    admin.locator("#id_venue_name").fill("Hội trường UBND phường Hoàn Kiếm")
    admin.locator("#id_venue_address").fill("126 Hàng Trống")
    admin.locator("#id_commune").select_option(commune_hanoi.code)
    admin.locator("#id_date").fill(day_date.isoformat())
    admin.locator("#id_starts_time").fill("08:00")
    admin.locator("#id_ends_time").fill("11:30")
    admin.locator("#id_capacity").fill("40")
    admin.locator("#id_cancellation_deadline").fill(f"{(day_date - dt.timedelta(days=1)).isoformat()}T17:00")
    admin.locator(f"input[name=partners][value='{partner.id}']").check()
    admin.locator(f"input[name=trainers][value='{trainer.id}']").check()
    shoot(admin, "studio-day-form-1366")
    with admin.expect_navigation():
        admin.locator("form.stacked button[type=submit]").click()

    assert path_of(admin) == f"/studio/courses/{course.id}/days/"
    day = InPersonDay.objects.get(course_run=run)
    assert timezone.localtime(day.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day_date.isoformat()} 08:00"
    assert list(day.trainers.all()) == [trainer]
    shoot(admin, "studio-days-scheduled-1366")

    enrolment_create(learner=learner_hanoi, course=course)
    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(phone, live_server, learner_hanoi.email, PASSWORD)
    phone.goto(f"{live_server.url}/learning/")
    assert phone.locator(f"a[href='/learning/days/{day.id}/']").count() == 1
    shoot(phone, "my-learning-360")
    phone.goto(live_server.url + course.get_absolute_url())
    phone.locator(f"a[href='/learning/days/{day.id}/']").click()
    assert no_sideways_scroll(phone)
    with phone.expect_navigation():
        phone.locator(f"form[action='/learning/days/{day.id}/sign-up/'] button").click()

    assert DaySeat.objects.get(day=day, learner=learner_hanoi).status == DaySeat.Status.SIGNED_UP
    assert phone.locator(f"form[action='/learning/days/{day.id}/cancel/']").count() == 1
    assert no_sideways_scroll(phone)
    shoot(phone, "learner-day-signed-up-360")

    trainer_phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(trainer_phone, live_server, trainer_account.email, PASSWORD)
    trainer_phone.locator("a[href='/trainer/']").click()
    trainer_phone.locator(f"a[href='/trainer/days/{day.id}/']").click()
    assert learner_hanoi.full_name in trainer_phone.locator("table.roster").inner_text()
    assert no_sideways_scroll(trainer_phone)
    shoot(trainer_phone, "trainer-roster-360")
    assert admin.js_errors == [] and phone.js_errors == [] and trainer_phone.js_errors == []


def test_ministry_schedules_a_national_course_day_in_a_province_on_a_phone(
    live_server, new_page, ministry_staff, province_hue, commune_hue
):
    """On a 360 px phone, choosing the province refills the communes (commune-select.js); the day is held there."""
    course = course_make(title="Dịch vụ công trực tuyến toàn quốc", province=None)
    today = timezone.localdate()
    run = course_run_create(
        course=course,
        title="Đợt toàn quốc",
        starts_on=today + dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=37),
    )
    day_date = run.starts_on + dt.timedelta(days=2)
    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(phone, live_server, ministry_staff.email, PASSWORD)
    phone.goto(f"{live_server.url}/studio/runs/{run.id}/day/")

    phone.locator("#id_province").select_option(province_hue.code)
    phone.locator(f"#id_commune option[value='{commune_hue.code}']").wait_for(state="attached")
    phone.locator("#id_commune").select_option(commune_hue.code)
    phone.locator("#id_venue_name").fill("Nhà văn hóa phường")
    phone.locator("#id_venue_address").fill("23 Lê Lợi")
    phone.locator("#id_date").fill(day_date.isoformat())
    phone.locator("#id_starts_time").fill("14:00")
    phone.locator("#id_ends_time").fill("16:30")
    phone.locator("#id_capacity").fill("30")
    phone.locator("#id_cancellation_deadline").fill(f"{day_date.isoformat()}T08:00")
    assert no_sideways_scroll(phone)
    shoot(phone, "studio-day-form-national-360")
    with phone.expect_navigation():
        phone.locator("form.stacked button[type=submit]:not([name=choose_province])").click()

    day = InPersonDay.objects.get(course_run=run)
    assert (day.province, day.venue_commune) == (province_hue, commune_hue)
    assert path_of(phone) == f"/studio/courses/{course.id}/days/"
    shoot(phone, "studio-days-360")
    assert phone.js_errors == []
