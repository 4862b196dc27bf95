"""GET /api/v1/days/ and /api/v1/days/{id}/: the days a key reaches, and a day's attendance as its page shows it."""

import datetime as dt

import pytest

from inperson.models import InPersonDay
from inperson.services.attendance import attendance_correct, attendance_tick
from inperson.services.days import day_cancel
from tests.api.conftest import with_key
from tests.api.test_scope_table import as_requester
from tests.api.writes import run_make, signed_up
from tests.factories import day_make
from tests.inperson.checkin_setup import day_move

pytestmark = pytest.mark.django_db


# Who sees which days in the list (the same days the detail answers and the attendance post reaches).
SEEN = {
    "province_a": {"hanoi"},  # as in the studio: its own courses' days, not a national one held there
    "province_b": {"hue"},
    "partner": {"hanoi"},
    "ministry": {"hanoi", "hue", "national_in_hanoi"},
    "learner": set(),
    "learner_app": set(),
}


@pytest.mark.parametrize("requester", SEEN)
def test_each_key_lists_its_days_only(api_client, keys, days, learner_hanoi, requester):
    client = as_requester(api_client, requester, keys, learner_hanoi)
    response = client.get("/api/v1/days/")
    assert response.status_code == 200
    ids = [day["id"] for day in response.json()["results"]]
    assert ids == [days[name].id for name in ("hanoi", "hue", "national_in_hanoi") if name in SEEN[requester]]


@pytest.mark.parametrize("requester", SEEN)
@pytest.mark.parametrize("target", ["hanoi", "hue", "national_in_hanoi"])
def test_a_day_outside_the_keys_days_answers_exactly_as_a_missing_one(
    api_client, keys, days, learner_hanoi, requester, target
):
    client = as_requester(api_client, requester, keys, learner_hanoi)
    response = client.get(f"/api/v1/days/{days[target].id}/")
    if target in SEEN[requester]:
        assert (response.status_code, response.json()["id"]) == (200, days[target].id)
        return
    missing = client.get("/api/v1/days/987654/")
    assert (response.status_code, response.content) == (missing.status_code, missing.content)
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


def test_the_list_shows_what_the_trainers_list_shows(api_client, keys, days, commune_hanoi):
    day = days["hanoi"]
    signed_up(day, commune_hanoi, "binh@example.vn")
    listed = with_key(api_client, keys["partner"]).get("/api/v1/days/").json()["results"][0]
    assert listed["course"] == {"slug": day.course_run.course.slug, "title": "Khóa Hà Nội"}
    assert listed["course_run"] == {"id": day.course_run.id, "title": "Hà Nội"}
    assert (listed["venue_name"], listed["venue_commune"]["code"]) == ("Hội trường", commune_hanoi.code)
    assert listed["province"] == {"code": commune_hanoi.province.code, "name": commune_hanoi.province.name}
    assert (listed["capacity"], listed["seats_signed_up"], listed["seats_waiting"]) == (30, 1, 0)
    assert listed["cancelled_at"] is None


def test_the_detail_shows_the_attendance_sheet(api_client, keys, days, commune_hanoi, admin_hanoi, partner_trainer):
    """Present (ticked, with the time), corrected to absent, not yet checked in: as the attendance page."""
    day = days["hanoi"]
    binh = signed_up(day, commune_hanoi, "binh@example.vn")
    cuc = signed_up(day, commune_hanoi, "cuc@example.vn")
    dan = signed_up(day, commune_hanoi, "dan@example.vn")
    ticked = attendance_tick(by=admin_hanoi, day=day, learner=binh).attendance
    attendance_correct(by=admin_hanoi, day=day, learner=cuc, present=True, reason="Ký tên")
    attendance_correct(by=admin_hanoi, day=day, learner=cuc, present=False, reason="Nhầm người")
    detail = with_key(api_client, keys["partner"]).get(f"/api/v1/days/{day.id}/").json()
    assert detail["id"] == day.id
    assert detail["checkin_window"] == {
        "opens_at": (day.starts_at - dt.timedelta(hours=1)).astimezone().isoformat(),
        "closes_at": day.ends_at.astimezone().isoformat(),
    }
    assert detail["attendance_counts"] == {"signed_up": 3, "present": 1}
    rows = {row["learner"]: row for row in detail["roster"]}
    assert rows[binh.id] | {"checked_in_at": None} == {
        "learner": binh.id,
        "name": binh.full_name or binh.email,
        "commune": commune_hanoi.name,
        "contact": "b•••@example.vn",
        "signed_up": True,
        "present": True,
        "checked_in_at": None,
        "method": "ticked",
    }
    assert rows[binh.id]["checked_in_at"] == ticked.checked_in_at.astimezone().isoformat()
    assert (rows[cuc.id]["present"], rows[cuc.id]["method"]) == (False, "sheet")
    assert (rows[dan.id]["present"], rows[dan.id]["method"], rows[dan.id]["checked_in_at"]) == (False, None, None)


def test_a_cancelled_day_has_no_check_in_window(api_client, keys, days, admin_hue):
    day = days["hue"]
    day_move(day, starts_in=dt.timedelta(days=2))
    day_cancel(by=admin_hue, day=day, reason="Bão")
    detail = with_key(api_client, keys["province_b"]).get(f"/api/v1/days/{day.id}/").json()
    assert detail["checkin_window"] is None
    assert detail["cancel_reason"] == "Bão"


def days_with_attendance(numbers: range, *, province, commune, by, partner) -> None:
    """Open days the partner runs, each with two learners signed up and one of them ticked present."""
    for number in numbers:
        day = day_make(run_make(province=province, title=f"Đợt {number}"), commune, by, partners=[partner])
        present = signed_up(day, commune, f"co.mat.{number}@example.vn")
        signed_up(day, commune, f"vang.{number}@example.vn")
        attendance_tick(by=by, day=day, learner=present)


def statements_of(client, url: str, django_assert_max_num_queries, bound: int) -> int:
    with django_assert_max_num_queries(bound) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_and_the_detail_read_the_same_statements_at_two_sizes(
    api_client, keys, province_hanoi, commune_hanoi, admin_hanoi, partner, django_assert_max_num_queries
):
    """The list at 2 and 14 days with seats and attendances (the key, the days); a day's detail at 2 and 22
    learners (the key, the day, its attendances, its seats)."""
    client = with_key(api_client, keys["partner"])
    place = {"province": province_hanoi, "commune": commune_hanoi, "by": admin_hanoi, "partner": partner}
    days_with_attendance(range(2), **place)
    client.get("/api/v1/days/")  # the key's "last used" is written once a minute: not on the counted calls
    first_day = InPersonDay.objects.order_by("starts_at", "id").first()
    detail_url = f"/api/v1/days/{first_day.id}/"
    small_list = statements_of(client, "/api/v1/days/?page_size=200", django_assert_max_num_queries, 2)
    small_detail = statements_of(client, detail_url, django_assert_max_num_queries, 4)

    days_with_attendance(range(2, 14), **place)
    for number in range(20):
        learner = signed_up(first_day, commune_hanoi, f"them.{number}@example.vn")
        if number % 2:
            attendance_tick(by=admin_hanoi, day=first_day, learner=learner)
    assert len(client.get("/api/v1/days/?page_size=200").json()["results"]) == 14
    assert client.get(detail_url).json()["attendance_counts"] == {"signed_up": 22, "present": 11}
    assert statements_of(client, "/api/v1/days/?page_size=200", django_assert_max_num_queries, 2) == small_list
    assert statements_of(client, detail_url, django_assert_max_num_queries, 4) == small_detail


def test_the_list_comes_in_cursor_pages_soonest_first(api_client, keys, days):
    client = with_key(api_client, keys["ministry"])
    first = client.get("/api/v1/days/?page_size=2").json()
    second = client.get(first["next"]).json()
    assert [day["id"] for day in first["results"] + second["results"]] == [
        days["hanoi"].id,
        days["hue"].id,
        days["national_in_hanoi"].id,
    ]
    assert second["next"] is None
