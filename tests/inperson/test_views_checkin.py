"""Check-in pages: the learner's code (its QR decoded), the trainer's check-in page and its JSON scans,
the studio's attendance page, the sign-in sheets; who may open each, and bounded queries."""

import base64
import datetime as dt
import json
import re
import uuid

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from inperson.models import Attendance, AttendanceCorrection
from learners.models import LearningEvent
from learners.services.enrolments import enrolment_create
from tests.factories import learner_make
from tests.inperson.checkin_setup import code_now, code_printed, day_move, learner_signed_up

pytestmark = pytest.mark.django_db


def qr_text_of(page: str) -> str:
    """Decode the QR image of the page (an SVG data: URI of unit squares) with zxing-cpp."""
    uri = re.search(r'class="checkin-qr"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    svg = base64.b64decode(uri).decode()
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        left, top = int(x) * scale, int(y) * scale
        draw.rectangle([left, top, left + scale - 1, top + scale - 1], fill=0)
    [barcode] = zxingcpp.read_barcodes(image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


def attendances_and_events() -> tuple[int, int]:
    return Attendance.objects.count(), LearningEvent.objects.filter(kind=LearningEvent.Kind.ATTENDED_IN_PERSON).count()


# --- The learner's code ----------------------------------------------------------------------------


def learner_urls(day) -> list[str]:
    return [
        reverse("inperson:learner_day_code", args=[day.id]),
        reverse("inperson:learner_day_code_json", args=[day.id]),
        reverse("inperson:learner_day_code_print", args=[day.id]),
    ]


def test_learner_sees_their_code_and_its_qr_gives_the_same_digits(client, day_open, binh):
    client.force_login(binh)
    page = client.get(reverse("inperson:learner_day_code", args=[day_open.id])).content.decode()
    digits = re.search(r'id="checkin-digits"[^>]*>([\d ]+)<', page).group(1)
    assert len(digits) == 9 and digits[4] == " "
    assert qr_text_of(page) == digits.replace(" ", "")
    assert digits.replace(" ", "") in {
        code_now(day_open, binh),
        code_now(day_open, binh, timezone.now() - dt.timedelta(seconds=30)),
    }


def test_code_json_gives_the_current_code(client, day_open, binh):
    client.force_login(binh)
    answer = client.get(reverse("inperson:learner_day_code_json", args=[day_open.id])).json()
    assert answer["code"] == code_now(day_open, binh) or answer["seconds_left"] == 30
    assert answer["grouped"] == f"{answer['code'][:4]} {answer['code'][4:]}" and 1 <= answer["seconds_left"] <= 30
    assert answer["qr"].startswith("data:image/svg+xml;base64,")


def test_printed_code_is_the_learners_day_long_code(client, day_open, cuc):
    client.force_login(cuc)
    page = client.get(reverse("inperson:learner_day_code_print", args=[day_open.id])).content.decode()
    assert qr_text_of(page) == code_printed(day_open, cuc)
    assert day_open.venue_name in page


@pytest.mark.parametrize("who", ["enrolled_not_signed_up", "learner_hanoi", "partner_trainer", "admin_hanoi"])
def test_nobody_but_the_learner_signed_up_opens_a_code_page(client, request, day_open, course_hanoi, who):
    if who == "enrolled_not_signed_up":
        user = learner_make(commune=request.getfixturevalue("commune_hanoi"))
        enrolment_create(learner=user, course=course_hanoi)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    for url in learner_urls(day_open):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in_from_code_pages(client, day_open):
    for url in learner_urls(day_open):
        assert client.get(url).status_code == 302, url


def test_day_card_and_day_page_link_the_code_when_check_in_is_near(client, day_open, binh):
    client.force_login(binh)
    code_url = reverse("inperson:learner_day_code", args=[day_open.id])
    assert code_url in client.get(reverse("learners:my_learning")).content.decode()
    assert code_url in client.get(reverse("inperson:learner_day", args=[day_open.id])).content.decode()


def test_day_card_has_no_code_link_for_a_learner_not_signed_up(client, day_open, course_hanoi, commune_hanoi):
    learner = learner_make(commune=commune_hanoi)
    enrolment_create(learner=learner, course=course_hanoi)
    client.force_login(learner)
    page = client.get(reverse("learners:my_learning")).content.decode()
    assert reverse("inperson:learner_day", args=[day_open.id]) in page
    assert reverse("inperson:learner_day_code", args=[day_open.id]) not in page


def test_day_card_has_no_code_link_weeks_ahead(client, day_hanoi, binh):
    client.force_login(binh)
    assert (
        reverse("inperson:learner_day_code", args=[day_hanoi.id])
        not in client.get(reverse("learners:my_learning")).content.decode()
    )


# --- The trainer's check-in page ---------------------------------------------------------------------


def test_typed_code_without_script_checks_the_learner_in(client, in_english, partner_trainer, day_open, binh):
    client.force_login(partner_trainer)
    url = reverse("inperson:trainer_day_checkin", args=[day_open.id])
    code = code_now(day_open, binh)
    response = client.post(url, {"code": f"{code[:4]} {code[4:]}"}, follow=True)
    assert "Nguyễn Văn Bình is checked in." in response.content.decode()
    attendance = Attendance.objects.get()
    assert (attendance.learner, attendance.method, attendance.checked_in_by) == (binh, "typed", partner_trainer)
    assert 'class="is-present"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [("12345678", "This code is not valid for this day."), ("12", "A code is 8 digits")],
)
def test_bad_typed_code_is_refused_with_its_reason(client, in_english, partner_trainer, day_open, code, message):
    client.force_login(partner_trainer)
    response = client.post(reverse("inperson:trainer_day_checkin", args=[day_open.id]), {"code": code})
    assert response.status_code == 200 and message in response.content.decode()
    assert attendances_and_events() == (0, 0)


def post_scans(client, day, scans):
    url = reverse("inperson:trainer_day_scans", args=[day.id])
    return client.post(url, json.dumps({"scans": scans}), content_type="application/json")


def test_queued_scans_sent_twice_count_once(client, in_english, partner_trainer, day_open, binh, cuc):
    """The phone sends its queue, loses the answer, and sends it again: one attendance, one event each."""
    seen = timezone.now() - dt.timedelta(minutes=3)
    scans = [
        {"scan_id": str(uuid.uuid4()), "code": code_now(day_open, binh, seen), "scanned_at": seen.isoformat()},
        {
            "scan_id": str(uuid.uuid4()),
            "code": code_printed(day_open, cuc),
            "scanned_at": seen.isoformat(),
            "method": "typed",
        },
        {"scan_id": str(uuid.uuid4()), "code": "99999999", "scanned_at": seen.isoformat()},
    ]
    client.force_login(partner_trainer)
    first = post_scans(client, day_open, scans).json()["results"]
    again = post_scans(client, day_open, scans).json()["results"]
    assert [result["status"] for result in first] == ["accepted", "accepted", "refused"]
    assert [result["status"] for result in again] == ["already", "already", "refused"]
    assert first[2]["message"] == "This code is not valid for this day."
    assert [result["scan_id"] for result in again] == [scan["scan_id"] for scan in scans]
    assert attendances_and_events() == (2, 2)
    assert Attendance.objects.get(learner=binh).checked_in_at == seen


def test_scan_seen_before_the_window_is_refused(client, in_english, partner_trainer, day_hanoi, binh):
    day = day_move(day_hanoi, starts_in=-dt.timedelta(minutes=5))
    seen = timezone.now() - dt.timedelta(hours=2)
    client.force_login(partner_trainer)
    scan = {"scan_id": str(uuid.uuid4()), "code": code_now(day, binh, seen), "scanned_at": seen.isoformat()}
    [result] = post_scans(client, day, [scan]).json()["results"]
    assert result["status"] == "refused" and "Check-in for this day is open from" in result["message"]
    assert attendances_and_events() == (0, 0)


def test_unreadable_scans_are_refused(client, partner_trainer, day_open):
    client.force_login(partner_trainer)
    url = reverse("inperson:trainer_day_scans", args=[day_open.id])
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    [result] = post_scans(client, day_open, [{"scan_id": "x", "code": "1"}]).json()["results"]
    assert result["status"] == "refused"
    assert client.get(url).status_code == 405


def test_trainer_ticks_a_learner_on_the_roster(client, partner_trainer, day_open, cuc):
    client.force_login(partner_trainer)
    response = client.post(reverse("inperson:trainer_day_tick", args=[day_open.id]), {"learner": cuc.id, "q": "Cúc"})
    assert response.status_code == 302 and "q=C%C3%BAc" in response["Location"]
    assert Attendance.objects.get().method == "ticked"


def test_roster_search_finds_by_name(client, partner_trainer, day_open, binh, cuc):
    client.force_login(partner_trainer)
    page = client.get(reverse("inperson:trainer_day_checkin", args=[day_open.id]), {"q": "cúc"}).content.decode()
    assert "Lê Thị Cúc" in page and "Nguyễn Văn Bình" not in page


def test_sign_in_sheet_masks_contacts(client, partner_trainer, day_open, binh, cuc):
    binh.phone = "+84912345678"
    binh.save(update_fields=["phone"])
    client.force_login(partner_trainer)
    page = client.get(reverse("inperson:trainer_day_sheet", args=[day_open.id])).content.decode()
    assert "Nguyễn Văn Bình" in page and "Lê Thị Cúc" in page
    assert "•••678" in page and "912345678" not in page
    assert cuc.email not in page and f"{cuc.email[0]}•••@" in page


# --- The studio's attendance page ----------------------------------------------------------------------


def test_admin_ticks_during_the_day_and_corrects_with_a_reason(client, in_english, admin_hanoi, day_open, binh, cuc):
    client.force_login(admin_hanoi)
    url = reverse("inperson:studio_day_attendance", args=[day_open.course_run_id])
    client.post(url, {"action": "tick", "learner": binh.id})
    assert Attendance.objects.get().learner == binh

    refused = client.post(url, {"learner": binh.id, "present": "0", "reason": ""}, follow=True)
    assert "say why the attendance is corrected" in refused.content.decode()
    assert AttendanceCorrection.objects.count() == 0 and Attendance.objects.get().present

    client.post(url, {"learner": binh.id, "present": "0", "reason": "Đánh dấu nhầm"})
    client.post(url, {"learner": cuc.id, "present": "1", "reason": "Ký tên trên giấy"})
    assert not Attendance.objects.get(learner=binh).present and Attendance.objects.get(learner=cuc).present
    kinds = list(LearningEvent.objects.filter(kind__contains="attend").order_by("id").values_list("kind", flat=True))
    assert kinds == ["attended_in_person", "attendance_withdrawn", "attended_in_person"]
    page = client.get(url).content.decode()
    assert "Đánh dấu nhầm" in page and "Ký tên trên giấy" in page


def test_studio_sheet_lists_the_learners_signed_up(client, admin_hanoi, day_open, binh):
    client.force_login(admin_hanoi)
    page = client.get(reverse("inperson:studio_day_sheet", args=[day_open.course_run_id])).content.decode()
    assert "Nguyễn Văn Bình" in page and "signature" in page


def test_roster_pages_have_bounded_queries(
    client, admin_hanoi, partner_trainer, day_hanoi, course_hanoi, commune_hanoi, django_assert_max_num_queries
):
    """Twenty learners, half of them present: the roster pages' queries do not grow with them."""
    learners = [learner_signed_up(day_hanoi, course_hanoi, commune_hanoi, f"Học viên {n}") for n in range(20)]
    day = day_move(day_hanoi, starts_in=-dt.timedelta(minutes=30))
    from inperson.services.attendance import attendance_tick

    for learner in learners[::2]:
        attendance_tick(by=partner_trainer, day=day, learner=learner)
    pages = [
        (partner_trainer, reverse("inperson:trainer_day_checkin", args=[day.id])),
        (partner_trainer, reverse("inperson:trainer_day_sheet", args=[day.id])),
        (admin_hanoi, reverse("inperson:studio_day_attendance", args=[day.course_run_id])),
        (admin_hanoi, reverse("inperson:studio_day_sheet", args=[day.course_run_id])),
    ]
    for user, url in pages:
        client.force_login(user)
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200, url
