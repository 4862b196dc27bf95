"""Browser journey: on the day, a learner opens their check-in code on a 360 px phone; the day's trainer,
on another phone, types the digits they read off it, while the network drops and comes back; the
learner is ticked on the roster, once. The admin then sees the attendance in the studio on a desktop.

Camera scanning is not available headless: the typed path here, and the decoding of the page's real
QR image with zxing-cpp (from a screenshot of it), cover it. Elements are found by id, name and
href, never by interface text (the interface is Vietnamese).
"""

import datetime as dt
import io
import os

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from courses.models import Partner
from courses.services.catalogue import course_run_create
from inperson.models import Attendance, InPersonDay
from inperson.services.days import day_schedule
from inperson.services.seats import seat_take
from inperson.services.trainers import trainer_create
from learners.models import LearningEvent
from learners.services.enrolments import enrolment_create
from onetouch.models import User
from onetouch.services.staff_accounts import staff_account_create
from tests.conftest import PASSWORD
from tests.e2e.journeys import sign_in, wait_until
from tests.factories import course_make

pytestmark = [pytest.mark.e2e]

# Set SCREENSHOTS=<folder> to keep the pages' pictures for a look.
SCREENSHOTS = os.environ.get("SCREENSHOTS")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def qr_on_screen(page: Page) -> str:
    """Decode the QR image as the browser drew it."""
    image = Image.open(io.BytesIO(page.locator("#checkin-qr").screenshot()))
    [barcode] = zxingcpp.read_barcodes(image)
    return barcode.text


def test_trainer_types_the_code_from_the_learners_phone_and_sees_them_ticked(
    live_server, new_page, province_hanoi, commune_hanoi, admin_hanoi, learner_hanoi
):
    course = course_make(title="Thanh toán không dùng tiền mặt", province=province_hanoi)
    today = timezone.localdate()
    run = course_run_create(course=course, title="Đợt tháng 12", starts_on=today, ends_on=today + dt.timedelta(days=30))
    partner = Partner.objects.create(name="Bưu điện Hà Nội", kind=Partner.Kind.POSTAL)
    trainer_account = staff_account_create(
        email="giangvien.buudien@example.vn",
        full_name="Trần Thị Giảng",
        role=User.Role.PARTNER_TRAINER,
        password=PASSWORD,
    )
    trainer = trainer_create(user=trainer_account, partner=partner)
    starts_at = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(8), tzinfo=timezone.get_current_timezone())
    day = day_schedule(
        by=admin_hanoi,
        course_run=run,
        province=province_hanoi,
        venue_name="Hội trường UBND phường Hoàn Kiếm",
        venue_address="126 Hàng Trống",
        venue_commune=commune_hanoi,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        capacity=40,
        cancellation_deadline=starts_at - dt.timedelta(hours=1),
        partners=[partner],
        trainers=[trainer],
    )
    enrolment_create(learner=learner_hanoi, course=course)
    seat_take(learner=learner_hanoi, day=day)
    # The morning of the day: it started 20 minutes ago (sign-up closes at the start, so the seat came first).
    started = timezone.now() - dt.timedelta(minutes=20)
    InPersonDay.objects.filter(id=day.id).update(
        starts_at=started,
        ends_at=started + dt.timedelta(hours=3),
        cancellation_deadline=started - dt.timedelta(hours=1),
    )

    phone = new_page(**PHONE)
    sign_in(phone, live_server, learner_hanoi.email, PASSWORD)
    phone.goto(f"{live_server.url}/learning/")
    shoot(phone, "my-learning-day-card-360")
    with phone.expect_navigation():
        phone.locator(f"a[href='/learning/days/{day.id}/code/']").click()
    digits = phone.locator("#checkin-digits").inner_text().strip()
    assert len(digits) == 9 and digits.replace(" ", "").isdigit()
    assert qr_on_screen(phone) == digits.replace(" ", "")
    assert no_sideways_scroll(phone)
    shoot(phone, "learner-code-360")

    trainer_phone = new_page(**PHONE)
    sign_in(trainer_phone, live_server, trainer_account.email, PASSWORD)
    trainer_phone.goto(f"{live_server.url}/trainer/days/{day.id}/")
    with trainer_phone.expect_navigation():
        trainer_phone.locator(f"a[href='/trainer/days/{day.id}/check-in/']").click()
    row = trainer_phone.locator(f"tr[data-learner='{learner_hanoi.id}']")
    assert "is-present" not in (row.get_attribute("class") or "")

    # The network drops: the typed code waits on the phone, then goes when the network returns.
    trainer_phone.context.set_offline(True)
    trainer_phone.locator("#id_code").fill(digits)
    trainer_phone.locator("#code-form button[type=submit]").click()
    expect(trainer_phone.locator("#scan-list li.scan-queued")).to_have_count(1)
    expect(trainer_phone.locator("#scan-offline")).to_be_visible()
    shoot(trainer_phone, "trainer-checkin-offline-360")
    assert Attendance.objects.count() == 0
    trainer_phone.context.set_offline(False)
    expect(trainer_phone.locator("#scan-list li.scan-accepted")).to_have_count(1)
    expect(row).to_have_class("is-present")
    expect(trainer_phone.locator("#present-count")).to_have_text("1")
    attendance = wait_until(lambda: Attendance.objects.filter(day=day).first(), what="the attendance")
    assert (attendance.learner_id, attendance.method, attendance.checked_in_by_id) == (
        learner_hanoi.id,
        "typed",
        trainer_account.id,
    )

    # The same digits typed again: counted once.
    trainer_phone.locator("#id_code").fill(digits)
    trainer_phone.locator("#code-form button[type=submit]").click()
    expect(trainer_phone.locator("#scan-list li.scan-already")).to_have_count(1)
    assert Attendance.objects.count() == 1
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.ATTENDED_IN_PERSON).count() == 1
    assert no_sideways_scroll(trainer_phone)
    shoot(trainer_phone, "trainer-checkin-360")

    # No camera headless: the scanner button loads the vendored library and says so.
    if trainer_phone.locator("#scanner-toggle").is_visible():
        trainer_phone.locator("#scanner-toggle").click()
        expect(trainer_phone.locator("#scanner p.meta")).to_have_count(1)

    trainer_phone.reload()
    expect(trainer_phone.locator(f"tr[data-learner='{learner_hanoi.id}']")).to_have_class("is-present")
    trainer_phone.set_viewport_size(DESKTOP["viewport"])
    shoot(trainer_phone, "trainer-checkin-1366")
    trainer_phone.set_viewport_size(PHONE["viewport"])
    trainer_phone.goto(f"{live_server.url}/trainer/days/{day.id}/sheet/")
    assert learner_hanoi.full_name in trainer_phone.locator("table.sheet").inner_text()
    shoot(trainer_phone, "trainer-sheet-360")

    phone.goto(f"{live_server.url}/learning/days/{day.id}/code/print/")
    assert no_sideways_scroll(phone)
    shoot(phone, "learner-code-print-360")
    phone.set_viewport_size(DESKTOP["viewport"])
    shoot(phone, "learner-code-print-1366")
    phone.goto(f"{live_server.url}/learning/days/{day.id}/code/")
    shoot(phone, "learner-code-1366")

    admin = new_page(**DESKTOP)
    sign_in(admin, live_server, admin_hanoi.email, PASSWORD)
    admin.goto(f"{live_server.url}/studio/runs/{run.id}/day/")
    with admin.expect_navigation():
        admin.locator(f"a[href='/studio/runs/{run.id}/day/attendance/']").click()
    expect(admin.locator(f"tr[data-learner='{learner_hanoi.id}']")).to_have_class("is-present")
    shoot(admin, "studio-attendance-1366")
    admin.goto(f"{live_server.url}/trainer/days/{day.id}/check-in/")
    assert admin.title != "" and Attendance.objects.count() == 1
    assert phone.js_errors == [] and trainer_phone.js_errors == [] and admin.js_errors == []
