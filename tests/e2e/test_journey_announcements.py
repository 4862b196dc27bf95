"""Browser journey: a Hà Nội admin writes an announcement to a run's learners on a desktop, the
worker sends it, and a learner reads it on a 360 px phone and unsubscribes from the emails on
their profile. Headless Chromium against a live server, a real worker.

Elements are found by id, name, value and href, never by interface text (the interface is Vietnamese).
"""

import os

import pytest
from django.core import mail
from playwright.sync_api import Page

from announcements.models import Announcement, EmailOptOut
from learners.services.enrolments import enrolment_create
from tests.announcements.conftest import run_make
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import path_of, sign_in, wait_until
from tests.factories import course_make

pytestmark = [pytest.mark.e2e]

# Set SCREENSHOTS=<folder> to keep the pages' pictures for a look.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_admin_writes_an_announcement_and_the_learner_reads_it_on_a_phone(
    live_server, celery_worker_running, new_page, province_hanoi, admin_hanoi, learner_hanoi
):
    course = course_make(title="Thanh toán không dùng tiền mặt", province=province_hanoi)
    run = run_make(course, title="Đợt tháng 12")
    enrolment_create(learner=learner_hanoi, course=course)

    for width in (1366, 360):
        admin = new_page(viewport={"width": width, "height": 900})
        sign_in(admin, live_server, admin_hanoi.email, PASSWORD)
        admin.goto(f"{live_server.url}/studio/")
        admin.locator("a[href='/studio/announcements/']").click()
        admin.locator("a[href='/studio/announcements/new/']").click()
        admin.locator("#id_target").select_option(f"course_run:{run.id}")
        admin.locator("#id_title").fill("Lịch thi cuối khóa")
        admin.locator("#id_body").fill(
            "Bài kiểm tra cuối khóa mở từ thứ hai.\nCác bạn nhớ hoàn thành các bài học trước."
        )
        assert no_sideways_scroll(admin)
        assert_accessible(admin, f"the announcement form at {width} px")
        shoot(admin, f"announcement-form-{width}")
        if width == 1366:
            with admin.expect_navigation():
                admin.locator("form.stacked button[type=submit]").click()
            assert path_of(admin) == "/studio/announcements/"
            wait_until(
                lambda: Announcement.objects.filter(recipients_claimed_at__isnull=False).exists(), what="listing"
            )
            admin.reload()
            shoot(admin, "announcement-studio-list-1366")

    wait_until(lambda: mail.outbox, what="the email")
    assert [message.to for message in mail.outbox] == [[learner_hanoi.email]]

    for width in (360, 1366):
        learner = new_page(viewport={"width": width, "height": 800})
        sign_in(learner, live_server, learner_hanoi.email, PASSWORD)
        learner.goto(f"{live_server.url}/learning/")
        learner.locator("a[href='/learning/announcements/']").click()
        assert "Lịch thi cuối khóa" in learner.locator("main").inner_text()
        assert no_sideways_scroll(learner)
        assert_accessible(learner, f"the learner's announcements at {width} px")
        shoot(learner, f"announcement-learner-list-{width}")

    learner.goto(f"{live_server.url}/learning/profile/#emails")
    assert_accessible(learner, "the profile with the choice of emails")
    with learner.expect_navigation():
        learner.locator("form:has(input[value=announcement]) button[type=submit]").click()
    assert EmailOptOut.objects.filter(learner=learner_hanoi, kind="announcement").exists()
    shoot(learner, "announcement-profile-emails-1366")

    unsubscribe = new_page(viewport={"width": 360, "height": 740})
    unsubscribe.goto(
        mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").replace("http://testserver", live_server.url)
    )
    assert_accessible(unsubscribe, "the unsubscribe page")
    shoot(unsubscribe, "announcement-unsubscribe-360")
