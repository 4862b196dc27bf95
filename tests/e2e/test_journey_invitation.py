"""Browser journey: officials created from a roster set their password and find their course.

One by the link of the invitation email on a 360 px phone, one phone-only official by the SMS code at
a 1366 px desk. Screenshots of the set-password pages go to $PHONE_SCREENSHOTS_DIR when it is set
(for a person to look at); the assertions never depend on them.
"""

import logging
import os
import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from learners.services.enrolments import enrolment_create
from onetouch.services.invitations import invitation_create, invitation_send, invited_user_create
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import path_of
from tests.factories import course_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 768}}
PASSWORD = "hoc-tap-suot-doi-2026"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("PHONE_SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"invitation16-{name}.png"), full_page=True)


def test_an_invited_official_sets_a_password_from_the_email_and_finds_the_course(new_page, live_server, admin_units):
    official = invited_user_create(full_name="Trần Thị Bình", email="binh.tran@xa-an-binh.gov.vn")
    enrolment_create(learner=official, course=course_make(title="Chuyển đổi số cho cán bộ xã"))
    invitation = invitation_create(user=official, by=None)
    invitation_send(invitation_id=invitation.id)
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)

    page = new_page(**PHONE)
    page.goto(live_server.url + link)
    expect(page.locator("h1")).to_have_text("Đặt mật khẩu")
    expect(page.locator("main")).to_contain_text("binh.tran@xa-an-binh.gov.vn")
    page.locator("#id_new_password1").fill("12345678")
    page.locator("#id_new_password2").fill("12345678")
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    expect(page.locator(".form-errors")).to_be_visible()
    screenshot(page, "link-360-error")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()

    assert path_of(page) == "/learning/"
    expect(page.locator("main")).to_contain_text("Chuyển đổi số cho cán bộ xã")
    screenshot(page, "my-learning-360")
    assert page.js_errors == []


def test_a_phone_only_official_sets_a_password_with_the_sms_code(new_page, live_server, admin_units, caplog):
    official = invited_user_create(full_name="Lê Văn Cường", phone="+84912345678")
    invitation = invitation_create(user=official, by=None)
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        invitation_send(invitation_id=invitation.id)
    code = re.search(r"\b(\d{6})\b", caplog.records[-1].getMessage()).group(1)

    page = new_page(**DESK)
    page.goto(live_server.url + "/accounts/invitation/code/")
    screenshot(page, "code-1366")
    page.locator("#id_phone").fill("0912 345 678")
    page.locator("#id_code").fill(code)
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()

    assert path_of(page) == "/learning/"
    official.refresh_from_db()
    assert official.is_active and official.phone_verified
    assert page.js_errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["360", "1366"])
def test_the_set_password_pages_fit_the_screen_and_pass_axe(new_page, live_server, admin_units, viewport):
    official = invited_user_create(full_name="Phạm Thị Dung", email="dung@xa-binh-minh.gov.vn")
    invitation_send(invitation_id=invitation_create(user=official, by=None).id)
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    width = viewport["viewport"]["width"]

    for name, path in [
        ("link", link),
        ("code", "/accounts/invitation/code/"),
        ("reset-phone", "/accounts/password/reset/phone/"),
        ("reset-code", "/accounts/password/reset/phone/code/"),
    ]:
        page = new_page(**viewport)
        page.goto(live_server.url + path)
        expect(page.locator("form.stacked button[type=submit]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_accessible(page, f"{path} at {width} px")
        screenshot(page, f"{name}-{width}")
