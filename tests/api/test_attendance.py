"""POST /api/v1/days/{id}/attendance/: attendance through inperson's service, for the days in the key's scope."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from api.models import IdempotencyKey
from inperson.models import Attendance, AttendanceCorrection, InPersonDay
from learners.services.enrolments import enrolment_create
from tests.api.conftest import with_key
from tests.api.test_scope_table import REQUESTERS, UNUSABLE_KEY_PROBLEM, as_requester
from tests.api.writes import run_make
from tests.factories import learner_make

pytestmark = pytest.mark.django_db

REASON = "Danh sách ký tên tại hội trường"


def day_make(run, commune, by, *, partners=()) -> InPersonDay:
    """The run's day in the commune's province, started 30 minutes ago: check-in is open."""
    starts_at = timezone.now() - dt.timedelta(minutes=30)
    day = InPersonDay.objects.create(
        course_run=run,
        province=commune.province,
        venue_name="Hội trường",
        venue_address="1 Đinh Tiên Hoàng",
        venue_commune=commune,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        capacity=30,
        cancellation_deadline=starts_at - dt.timedelta(days=1),
        created_by=by,
        updated_by=by,
    )
    day.partners.set(partners)
    return day


@pytest.fixture
def days(province_hanoi, province_hue, commune_hanoi, commune_hue, admin_hanoi, admin_hue, partner) -> dict:
    """A Hà Nội day the partner runs, and a Huế day without it."""
    return {
        "hanoi": day_make(
            run_make(province=province_hanoi, title="Hà Nội"), commune_hanoi, admin_hanoi, partners=[partner]
        ),
        "hue": day_make(run_make(province=province_hue, title="Huế"), commune_hue, admin_hue),
    }


def enrolled(day: InPersonDay, commune, email: str):
    learner = learner_make(commune=commune, email=email)
    enrolment_create(learner=learner, course=day.course_run.course, course_run=day.course_run)
    return learner


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
}


def test_every_requester_has_a_line():
    assert set(WRITE_SCOPE_TABLE) == set(REQUESTERS)


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("target", TARGETS)
def test_write_scope_table(api_client, keys, days, learner_hanoi, commune_hanoi, commune_hue, requester, target):
    day_id = days[target].id if target in days else 987654
    learner = enrolled(days[target], commune_hanoi, "hoc.vien.ngay@example.vn") if target in days else learner_hanoi
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
    binh = enrolled(day, commune_hanoi, "binh@example.vn")
    client = with_key(api_client, keys["partner"])
    post_attendance(client, day.id, [(binh.id, True)], key="mot-lan")
    other = post_attendance(client, day.id, [(binh.id, False)], key="mot-lan", language="en")
    assert other.status_code == 422
    assert other.json()["type"] == "/api/problems/idempotency-key-reused"
    assert Attendance.objects.get(learner=binh).present
    assert IdempotencyKey.objects.count() == 1
