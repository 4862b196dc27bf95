"""POST /api/v1/enrolments/: officials enrolled or invited into a run as a roster import would, in the key's scope."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from learners.models import Enrolment
from onetouch.models import Invitation, User
from rosters.models import RosterImport, RosterRow
from tests.api.conftest import with_key
from tests.api.test_scope_table import REQUESTERS, UNUSABLE_KEY_PROBLEM, as_requester
from tests.api.writes import enrol, enrolment_body, official, run_make
from tests.factories import learner_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(province_hanoi, province_hue) -> dict[str, int]:
    """The id of each run the table names."""
    made = {
        "national": run_make(title="Toàn quốc"),
        "hanoi": run_make(province=province_hanoi, title="Hà Nội"),
        "hue": run_make(province=province_hue, title="Huế"),
    }
    return {name: run.id for name, run in made.items()} | {"missing": 987654}


def statuses(**by_run: int) -> dict[str, int]:
    return {"national": 201, "hanoi": 201, "hue": 201, "missing": 404} | by_run


NOT_FOUND = dict.fromkeys(["national", "hanoi", "hue", "missing"], 404)
UNUSABLE = dict.fromkeys(["national", "hanoi", "hue", "missing"], 401)

# Requester × run: the status of an enrolment post. A province's key fills the runs a roster of
# that province may fill (national courses and its own); a partner's key or a learner fills none.
WRITE_SCOPE_TABLE = {
    "province_a": statuses(hue=404),
    "province_b": statuses(hanoi=404),
    "partner": NOT_FOUND,
    "ministry": statuses(),
    "none": UNUSABLE,
    "expired": UNUSABLE,
    "revoked": UNUSABLE,
    "learner": NOT_FOUND,
    "learner_app": NOT_FOUND,
}


def test_every_requester_has_a_line():
    assert set(WRITE_SCOPE_TABLE) == set(REQUESTERS)


@pytest.mark.parametrize("requester", REQUESTERS)
@pytest.mark.parametrize("target", ["national", "hanoi", "hue", "missing"])
def test_write_scope_table(api_client, keys, runs, learner_hanoi, commune_hanoi, requester, target):
    client = as_requester(api_client, requester, keys, learner_hanoi)
    before = Enrolment.objects.count()
    response = enrol(client, enrolment_body(runs[target], [official(1, commune=commune_hanoi.code)]))
    expected = WRITE_SCOPE_TABLE[requester][target]
    assert response.status_code == expected
    assert response["Content-Type"] == "application/json" if expected == 201 else "application/problem+json"
    if expected == 401:
        assert response.json()["type"] == f"/api/problems/{UNUSABLE_KEY_PROBLEM[requester]}"
    if expected != 201:
        assert Enrolment.objects.count() == before


@pytest.mark.parametrize(
    ("requester", "hidden"),
    [("province_a", "hue"), ("province_b", "hanoi"), ("partner", "national"), ("learner", "national")],
)
def test_a_run_outside_scope_answers_exactly_as_a_missing_one(
    api_client, keys, runs, learner_hanoi, commune_hanoi, requester, hidden
):
    client = as_requester(api_client, requester, keys, learner_hanoi)
    people = [official(1, commune=commune_hanoi.code)]
    missing = enrol(client, enrolment_body(runs["missing"], people), key="k-missing")
    outside = enrol(client, enrolment_body(runs[hidden], people), key="k-outside")
    assert (outside.status_code, outside.content) == (missing.status_code, missing.content)
    assert outside["Content-Type"] == missing["Content-Type"] == "application/problem+json"
    assert RosterImport.objects.count() == 0


def test_each_person_gets_what_happened(api_client, keys, runs, commune_hanoi, commune_hue, learner_hanoi):
    """Matched by email or by mobile number as a roster matches; new people invited; refusals with their reason."""
    by_phone = learner_make(commune=commune_hanoi, email="co.so.dien.thoai@example.vn")
    User.objects.filter(id=by_phone.id).update(phone="+84912345678")
    already = learner_make(commune=commune_hanoi, email="da.ghi.danh@example.vn")
    client = with_key(api_client, keys["province_a"])
    enrol(
        client, enrolment_body(runs["hanoi"], [official(9, commune=commune_hanoi.code, email="da.ghi.danh@example.vn")])
    )
    people = [
        official(1, commune=commune_hanoi.code, email="LEARNER.Hanoi@example.vn"),  # by email, any case
        official(2, commune=commune_hanoi.code, email="", phone="+84 912 345 678"),  # by mobile number
        official(3, commune=commune_hanoi.code, email="da.ghi.danh@example.vn"),
        official(4, commune=commune_hanoi.code, email="moi@example.vn"),
        official(5, commune=commune_hanoi.code, email="khong-phai-email"),
        official(6, commune=commune_hue.code, email="o.hue@example.vn"),
        official(7, commune="99999", email="xa.la@example.vn"),
        official(8, commune=commune_hanoi.code, email="moi@example.vn"),
    ]
    response = enrol(client, enrolment_body(runs["hanoi"], people), language="en")
    assert response.status_code == 201
    results = response.json()["results"]
    assert [(r["index"], r["result"], r["reason"]) for r in results] == [
        (0, "enrolled", ""),
        (1, "enrolled", ""),
        (2, "already_enrolled", ""),
        (3, "invited", ""),
        (4, "refused", "bad_email"),
        (5, "refused", "outside_province"),
        (6, "refused", "unknown_commune"),
        (7, "refused", "duplicate"),
    ]
    assert results[0]["account_id"] == learner_hanoi.id
    assert results[1]["account_id"] == by_phone.id
    assert results[2]["account_id"] == already.id
    assert results[5]["reason_text"] == "The address is outside the province you administer."
    invited = User.objects.get(email="moi@example.vn")
    assert not invited.is_active
    assert Invitation.objects.filter(user=invited).exists()
    assert set(Enrolment.objects.filter(course_run_id=runs["hanoi"]).values_list("learner_id", flat=True)) == {
        learner_hanoi.id,
        by_phone.id,
        already.id,
        invited.id,
    }
    # The province's admins find it among their imports, with its report.
    roster_import = RosterImport.objects.get(id=response.json()["roster_import"])
    assert (roster_import.file_name, roster_import.status) == ("API", RosterImport.Status.DONE)
    assert roster_import.rows.filter(outcome=RosterRow.Outcome.REFUSED).count() == 4


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"course_run": 1, "people": []}, "#/people"),
        ({"course_run": 1, "people": [{"full_name": "A", "audience_group": "public"}]}, "#/people/0/commune"),
        ({"course_run": 1, "people": [], "emial": "x"}, "#/emial"),
        ({"people": [{"full_name": "A", "audience_group": "public", "commune": "00001"}]}, "#/course_run"),
    ],
)
@pytest.mark.parametrize(
    ("language", "detail"), [("vi", "Một số trường không hợp lệ."), ("en", "Some fields are not valid.")]
)
def test_invalid_bodies_answer_a_problem_and_write_nothing(api_client, keys, runs, body, pointer, language, detail):
    client = with_key(api_client, keys["province_a"])
    response = enrol(client, body, language=language)
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "/api/problems/invalid-request"
    assert problem["detail"] == detail
    # An empty list's message is the list's own (DRF names it non_field_errors under #/people).
    assert any(error["pointer"].startswith(pointer) for error in problem["errors"])
    assert (RosterImport.objects.count(), Enrolment.objects.count()) == (0, 0)


def test_a_failing_write_leaves_nothing_half_written(api_client, keys, runs, commune_hanoi, monkeypatch):
    """An error after accounts were made (the enrolments' insert) rolls back accounts, rows, import and key."""

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("rosters.services.import_rows.enrolments_create_many", broken)
    client = with_key(APIClient(raise_request_exception=False), keys["province_a"])
    users = User.objects.count()
    response = enrol(client, enrolment_body(runs["hanoi"], [official(1, commune=commune_hanoi.code)]))
    assert response.status_code == 500
    assert (User.objects.count(), RosterImport.objects.count(), Invitation.objects.count()) == (users, 0, 0)


@pytest.mark.parametrize("people", [5, 50])
def test_an_enrolment_post_reads_a_bounded_number_of_statements(
    api_client, keys, runs, commune_hanoi, django_assert_max_num_queries, people
):
    """Half the people have accounts, half are new: the same statements for 5 people as for 50."""
    for number in range(0, people, 2):
        learner_make(commune=commune_hanoi, email=f"can.bo.{number}@example.vn")
    client = with_key(api_client, keys["province_a"])
    body = enrolment_body(runs["national"], [official(number, commune=commune_hanoi.code) for number in range(people)])
    with django_assert_max_num_queries(35):
        response = enrol(client, body)
    assert response.status_code == 201
    assert Enrolment.objects.filter(course_run_id=runs["national"]).count() == people


def test_the_route_is_named_as_the_table_says():
    assert reverse("api:enrolments") == "/api/v1/enrolments/"


def test_the_province_admin_reads_the_api_import_in_the_studio(
    api_client, keys, runs, commune_hanoi, admin_hanoi, client
):
    """The request is a roster import like any other: its page and its report open for the province's admin."""
    people = [official(1, commune=commune_hanoi.code), official(2, commune="99999")]
    response = enrol(with_key(api_client, keys["province_a"]), enrolment_body(runs["hanoi"], people))
    roster_import_id = response.json()["roster_import"]
    client.force_login(admin_hanoi)
    page = client.get(reverse("rosters:detail", args=[roster_import_id]))
    assert page.status_code == 200
    assert "can.bo.1@example.vn" in page.content.decode()
    assert client.get(reverse("rosters:report", args=[roster_import_id])).status_code == 200
