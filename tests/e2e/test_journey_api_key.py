"""A province's IT staff make an API key in the studio, call the API with it, and revoke it.

Hà Nội's admin opens the studio, "Khóa API", "Khóa mới", names the key and makes it; the key shown
once calls /api/v1/courses/ from a script (here urllib, as curl would); revoked in the studio, the
same key answers 401. The key pages pass axe on a phone and at a desk.
"""

import json
import urllib.error
import urllib.request

import pytest

from api.models import ApiKey
from tests.conftest import PASSWORD
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import path_of, sign_in
from tests.factories import course_make

pytestmark = [pytest.mark.e2e]

SCREENS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desk": {"viewport": {"width": 1366, "height": 800}},
}


def api_get(url: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("screen", SCREENS)
def test_admin_makes_uses_and_revokes_a_key(live_server, new_page, admin_hanoi, screen):
    course = course_make(title="Kỹ năng số cơ bản")
    admin = new_page(**SCREENS[screen])
    sign_in(admin, live_server, admin_hanoi.email, PASSWORD)

    admin.goto(live_server.url + "/studio/")
    admin.get_by_role("link", name="Khóa API").click()
    assert path_of(admin) == "/studio/api-keys/"
    assert_accessible(admin, f"the key list on a {screen}")
    admin.get_by_role("link", name="Khóa mới").click()
    assert_accessible(admin, f"the new key form on a {screen}")
    admin.get_by_label("Tên").fill("Hệ thống nhân sự tỉnh")
    admin.get_by_role("button", name="Tạo khóa").click()
    plain = admin.get_by_label("Khóa API").input_value()
    assert_accessible(admin, f"the new key on a {screen}")
    assert plain.startswith("ot_") and plain in admin.locator("pre").inner_text()

    status, body = api_get(f"{live_server.url}/api/v1/courses/", plain)
    assert status == 200
    assert [row["slug"] for row in body["results"]] == [course.slug]

    admin.get_by_role("link", name="Xong").click()
    admin.locator("form.actions button", has_text="Hệ thống nhân sự tỉnh").click()
    admin.get_by_text("đã bị thu hồi").first.wait_for()
    assert plain not in admin.content()
    assert ApiKey.objects.get().revoked_at is not None

    status, body = api_get(f"{live_server.url}/api/v1/courses/", plain)
    assert (status, body["type"]) == (401, "/api/problems/key-revoked")
