"""POST /api/v1/days/{id}/attendance/: attendance through inperson's service, for the days in the key's scope."""

import datetime as dt
import uuid

import pytest

from api.models import ApiKey, IdempotencyKey
from api.services.keys import api_key_create
from inperson.models import Attendance, AttendanceCorrection
from inperson.services.attendance import attendance_correct
from tests.api.conftest import with_key
from tests.api.test_scope_table import REQUESTERS, UNUSABLE_KEY_PROBLEM, as_requester
from tests.api.writes import enrolled, run_make, signed_up
from tests.factories import day_make, learner_make
from tests.inperson.checkin_setup import day_move

pytestmark = pytest.mark.django_db

REASON = "Danh sách ký tên tại hội trường"


def post_attendance(
    client, day_id: int, marks: list[tuple[int, bool]], *, key: str | None = None, language: str = "vi"
):
    body = {"reason": REASON, "attendance": [{"learner": learner, "present": present} for learner, present in marks]}
    return client.post(
        f"/api/v1/days/{day_id}/attendance/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
        HTTP_ACCEPT_LANGUAGE=language,
    )


TARGETS = ["hanoi", "hue", "missing"]
# Requester × day: a province's key posts for its province's days, a partner's for the days it runs.
WRITE_SCOPE_TABLE = {
    "province_a": {"hanoi": 200, "hue": 404, "missing": 404},
    "province_b": {"hanoi": 404, "hue": 200, "missing": 404},
    "partner": {"hanoi": 200, "hue": 404, "missing": 404},
    "ministry": {"hanoi": 200, "hue": 200, "missing": 404},
    "none": dict.fromkeys(TARGETS, 401),
    "expired": dict.fromkeys(TARGETS, 401),
    "revoked": dict.fromkeys(TARGETS, 401),
    "learner": dict.fromkeys(TARGETS, 404),
    "learner_app": dict.fromkeys(TARGETS, 404),
}


def test_every_requester_has_a_line():
    assert set(WRITE_SCOPE_TABLE) == set(REQUESTERS)


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("target", TARGETS)
def test_write_scope_table(api_client, keys, days, learner_hanoi, commune_hanoi, commune_hue, requester, target):
    day_id = days[target].id if target in days else 987654
    learner = signed_up(days[target], commune_hanoi, "hoc.vien.ngay@example.vn") if target in days else learner_hanoi
    client = as_requester(api_client, requester, keys, learner_hanoi)
    response = post_attendance(client, day_id, [(learner.id, True)])
    expected = WRITE_SCOPE_TABLE[requester][target]
    assert response.status_code == expected
    if expected == 401:
        assert response.json()["type"] == f"/api/problems/{UNUSABLE_KEY_PROBLEM[requester]}"
    if expected == 200:
        assert response.json()["results"] == [{"learner": learner.id, "result": "present", "reason_text": ""}]
        assert Attendance.objects.get(day_id=day_id, learner=learner).present
    else:
        assert not Attendance.objects.exists()


@pytest.mark.parametrize(("requester", "hidden"), [("province_a", "hue"), ("province_b", "hanoi"), ("partner", "hue")])
def test_a_day_outside_scope_answers_exactly_as_a_missing_one(api_client, keys, days, learner_hanoi, requester, hidden):
    client = as_requester(api_client, requester, keys, learner_hanoi)
    missing = post_attendance(client, 987654, [(learner_hanoi.id, True)], key="a")
    outside = post_attendance(client, days[hidden].id, [(learner_hanoi.id, True)], key="b")
    assert (outside.status_code, outside.content) == (missing.status_code, missing.content)
    assert outside["Content-Type"] == "application/problem+json"


def test_each_learner_gets_what_happened_and_a_retry_changes_nothing(api_client, keys, days, commune_hanoi):
    day = days["hanoi"]
    binh, cuc = enrolled(day, commune_hanoi, "binh@example.vn"), enrolled(day, commune_hanoi, "cuc@example.vn")
    stranger = learner_make(commune=commune_hanoi, email="khach@example.vn")
    client = with_key(api_client, keys["province_a"])
    marks = [(binh.id, True), (cuc.id, False), (stranger.id, True), (987654, True)]
    first = post_attendance(client, day.id, marks, key="so-diem-danh", language="en")
    assert first.status_code == 200
    assert [(r["learner"], r["result"]) for r in first.json()["results"]] == [
        (binh.id, "present"),
        (cuc.id, "unchanged"),
        (stranger.id, "refused"),
        (987654, "refused"),
    ]
    assert first.json()["results"][2]["reason_text"] == "This learner is not enrolled in the day's course run."
    assert AttendanceCorrection.objects.get().reason == REASON
    retry = post_attendance(client, day.id, marks, key="so-diem-danh", language="en")
    assert (retry.status_code, retry["Idempotent-Replayed"]) == (200, "true")
    assert retry.json() == first.json()
    assert (Attendance.objects.count(), AttendanceCorrection.objects.count()) == (1, 1)


def test_the_same_key_with_other_marks_is_refused(api_client, keys, days, commune_hanoi):
    day = days["hanoi"]
    binh = signed_up(day, commune_hanoi, "binh@example.vn")
    client = with_key(api_client, keys["partner"])
    post_attendance(client, day.id, [(binh.id, True)], key="mot-lan")
    other = post_attendance(client, day.id, [(binh.id, False)], key="mot-lan", language="en")
    assert other.status_code == 422
    assert other.json()["type"] == "/api/problems/idempotency-key-reused"
    assert Attendance.objects.get(learner=binh).present
    assert IdempotencyKey.objects.count() == 1


# --- What a partner's key may post: what its trainers may do on the pages (docs/decisions/0037) -----


def test_a_partners_present_mark_is_a_tick_recorded_as_the_keys_maker(api_client, keys, days, commune_hanoi, partner):
    """Through the trainer's own path: ticked on the roster, no correction, the key's maker recorded."""
    day = days["hanoi"]
    binh = signed_up(day, commune_hanoi, "binh@example.vn")
    response = post_attendance(with_key(api_client, keys["partner"]), day.id, [(binh.id, True)])
    assert response.json()["results"] == [{"learner": binh.id, "result": "present", "reason_text": ""}]
    attendance = Attendance.objects.get(day=day, learner=binh)
    assert attendance.method == Attendance.Method.TICKED
    assert attendance.checked_in_by == ApiKey.objects.get(kind="partner").created_by
    assert not AttendanceCorrection.objects.exists()


def test_a_partner_may_not_mark_absent_nor_tick_outside_the_window_nor_someone_not_signed_up(
    api_client, keys, days, commune_hanoi, admin_hanoi
):
    """A trainer cannot correct, tick before check-in opens, or tick a learner without a seat: nor can its key."""
    day = days["hanoi"]
    binh = signed_up(day, commune_hanoi, "binh@example.vn")
    cuc = enrolled(day, commune_hanoi, "cuc@example.vn")
    attendance_correct(by=admin_hanoi, day=day, learner=binh, present=True, reason="Có mặt")
    client = with_key(api_client, keys["partner"])
    response = post_attendance(client, day.id, [(binh.id, False), (cuc.id, True)], language="en")
    assert [(r["result"], r["reason_text"]) for r in response.json()["results"]] == [
        ("refused", "You may not correct the attendance of this in-person day."),
        ("refused", "This learner is not signed up for this day."),
    ]
    day_move(day, starts_in=dt.timedelta(hours=5))
    dan = signed_up(day, commune_hanoi, "dan@example.vn")
    early = post_attendance(client, day.id, [(dan.id, True)], language="en")
    assert early.json()["results"][0]["result"] == "refused"
    assert early.json()["results"][0]["reason_text"].startswith("Check-in for this day is open from")
    assert list(Attendance.objects.values_list("learner_id", "present")) == [(binh.id, True)]


def test_a_partner_may_not_tick_again_someone_an_admin_corrected_to_absent(
    api_client, keys, days, commune_hanoi, admin_hanoi
):
    day = days["hanoi"]
    binh = signed_up(day, commune_hanoi, "binh@example.vn")
    attendance_correct(by=admin_hanoi, day=day, learner=binh, present=True, reason="Có mặt")
    attendance_correct(by=admin_hanoi, day=day, learner=binh, present=False, reason="Đánh dấu nhầm")
    response = post_attendance(with_key(api_client, keys["partner"]), day.id, [(binh.id, True)], language="en")
    assert response.json()["results"][0]["result"] == "refused"
    assert not Attendance.objects.get(learner=binh).present


@pytest.mark.parametrize("maker", ["admin_hanoi", "ministry_staff"])
def test_a_province_key_may_not_correct_a_national_courses_day_whoever_made_it(
    request, api_client, days, commune_hanoi, admin_hanoi, province_hanoi, maker
):
    """As in the studio: a province's admin does not reach a national course's day held in the province, so
    its key gets the answer of a missing day. The key's rights are its province's, even when ministry staff made it."""
    national_day = day_make(run_make(title="Toàn quốc"), commune_hanoi, admin_hanoi)
    binh = signed_up(national_day, commune_hanoi, "binh@example.vn")
    _key, plain = api_key_create(
        by=request.getfixturevalue(maker), name="HR", kind="province", valid_days=30, province=province_hanoi
    )
    response = post_attendance(with_key(api_client, plain), national_day.id, [(binh.id, True)], language="en")
    assert (response.status_code, response.json()["type"]) == (404, "/api/problems/not-found")
    assert not Attendance.objects.exists()


def test_the_ministry_key_corrects_a_national_courses_day(api_client, keys, commune_hanoi, admin_hanoi):
    national_day = day_make(run_make(title="Toàn quốc"), commune_hanoi, admin_hanoi)
    binh = enrolled(national_day, commune_hanoi, "binh@example.vn")
    response = post_attendance(with_key(api_client, keys["ministry"]), national_day.id, [(binh.id, True)])
    assert response.json()["results"][0]["result"] == "present"
    assert AttendanceCorrection.objects.get().attendance.learner == binh
