"""Browser journey: a Hà Nội admin uploads a small roster on a desktop, watches the check, resolves a
split commune for all its rows, confirms, watches the import and reads the report; then an official
of the roster sets a password from the invitation the worker emailed and finds the course in My
learning, on a phone. Headless Chromium against a live server and a real Celery worker.

Elements are found by id, name, value and href, never by interface text (the interface is Vietnamese).
"""

import os
import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from courses.services.catalogue import course_run_create
from learners.models import Enrolment, LearnerProfile
from onetouch.models import User
from rosters.models import OldCommune, OldCommuneSuccessor, RosterImport
from rosters.pure.addresses import commune_key, district_key, province_key
from tests.conftest import PASSWORD
from tests.e2e.journeys import path_of, sign_in
from tests.factories import course_make
from tests.rosters.roster_files import csv_bytes, person

pytestmark = [pytest.mark.e2e]

SCREENSHOTS = os.environ.get("SCREENSHOTS")


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_admin_imports_a_roster_resolves_a_split_commune_and_reads_the_report(
    live_server, celery_worker_running, media_root, new_page, province_hanoi, admin_hanoi, tmp_path
):
    course = course_make(title="Chuyển đổi số cho cán bộ xã", province=province_hanoi)
    run = course_run_create(course=course, title="Đợt 1", starts_on="2026-11-01", ends_on="2027-06-30")
    first, second = province_hanoi.communes.order_by("code")[:2]
    old = OldCommune.objects.create(
        code="99901",
        name="Xã Thử Nghiệm",
        district_code="999",
        district_name="Huyện Thử",
        province_code="01",
        province_name="Thành phố Hà Nội",
        key=commune_key("Xã Thử Nghiệm").folded,
        district_key=district_key("Huyện Thử").folded,
        province_key=province_key("Thành phố Hà Nội").folded,
    )
    OldCommuneSuccessor.objects.create(old_commune=old, commune=first, is_main=True)
    OldCommuneSuccessor.objects.create(old_commune=old, commune=second)
    roster = tmp_path / "danh-sach.csv"
    roster.write_bytes(
        csv_bytes(
            [
                person(2),
                person(3, commune="Xã Thử Nghiệm", district="Huyện Thử"),
                person(4, commune="xa thu nghiem", district="Huyện Thử"),
                person(5, email="khong-phai-email"),
            ],
            bom=True,
        )
    )

    admin = new_page(viewport={"width": 1366, "height": 900})
    sign_in(admin, live_server, admin_hanoi.email, PASSWORD)
    admin.goto(f"{live_server.url}/studio/rosters/")
    shoot(admin, "rosters-home-1366")
    admin.locator(f"a[href='/studio/rosters/runs/{run.id}/']").click()
    admin.locator("#id_file").set_input_files(str(roster))
    shoot(admin, "rosters-upload-1366")
    with admin.expect_navigation():
        admin.locator("form.stacked button[type=submit]").click()
    roster_import = RosterImport.objects.get()
    assert path_of(admin) == f"/studio/rosters/{roster_import.id}/"
    # The page's script follows the check and reloads when it is done: the decisions appear.
    expect(admin.locator(".roster-decisions")).to_be_visible(timeout=30_000)
    assert not User.objects.filter(email__startswith="can.bo.").exists()
    shoot(admin, "rosters-checked-1366")
    admin.locator("form.decision select[name=commune]").first.select_option(str(second.id))
    with admin.expect_navigation():
        admin.locator("form.decision button[type=submit]").first.click()
    expect(admin.locator(".roster-decisions")).to_have_count(0)
    with admin.expect_navigation():
        admin.locator("form.confirm button[type=submit]").click()
    expect(admin.locator("#row-2 .outcome-create")).to_be_visible(timeout=30_000)
    shoot(admin, "rosters-done-1366")
    assert Enrolment.objects.filter(course_run=run).count() == 3
    assert set(
        LearnerProfile.objects.filter(user__email__in=["can.bo.3@example.vn", "can.bo.4@example.vn"]).values_list(
            "commune_id", flat=True
        )
    ) == {second.id}
    assert admin.locator("#row-5 .outcome-refused").is_visible()
    with admin.expect_download() as download:
        admin.locator(f"a[href='/studio/rosters/{roster_import.id}/report.xlsx']").click()
    assert download.value.suggested_filename == f"roster-report-{roster_import.id}.xlsx"

    phone = new_page(viewport={"width": 360, "height": 780})
    sign_in(phone, live_server, admin_hanoi.email, PASSWORD)
    phone.goto(f"{live_server.url}/studio/rosters/{roster_import.id}/")
    shoot(phone, "rosters-done-360")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The official of row 3 (a split commune the admin resolved) accepts the invitation the worker sent.
    link = invitation_link_await("can.bo.3@example.vn")
    official = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    official.goto(live_server.url + link)
    official.locator("#id_new_password1").fill("hoc-tap-suot-doi-2026")
    official.locator("#id_new_password2").fill("hoc-tap-suot-doi-2026")
    with official.expect_navigation():
        official.locator("form.stacked button[type=submit]").click()
    assert path_of(official) == "/learning/"
    expect(official.locator("main")).to_contain_text("Chuyển đổi số cho cán bộ xã")
    assert User.objects.get(email="can.bo.3@example.vn").is_active


def invitation_link_await(email: str, seconds: float = 20) -> str:
    """The path of the invitation link the worker emailed to `email`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if message.to == [email]:
                return re.search(r"https?://[^/\s]+(/accounts/invitation/\S+)", message.body).group(1)
        time.sleep(0.2)
    raise AssertionError(f"No invitation reached {email}")
