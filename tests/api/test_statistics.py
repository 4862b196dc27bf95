"""GET /api/v1/statistics/: the dashboard's own figures and "as of", its filters, scope like its pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learners.services.enrolments import enrolment_create
from reporting.services.fold import statistics_fold
from tests.api.conftest import with_key
from tests.api.test_completions import events_readable_wait
from tests.factories import course_make

URL = "/api/v1/statistics/"


@pytest.mark.django_db(transaction=True)
def test_the_figures_are_the_dashboards_with_as_of(api_client, keys, learner_hanoi, learner_hue, province_hue):
    """After a fold: Hà Nội's key reads its one enrolment by commune; the ministry reads both by province."""
    course = course_make(title="Kỹ năng số")
    hue_course = course_make(title="Du lịch số Huế", province=province_hue)
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    enrolment_create(learner=learner_hue, course=hue_course)
    events_readable_wait()
    statistics_fold()

    hanoi = with_key(api_client, keys["province_a"]).get(URL).json()
    assert hanoi["province"]["code"] == "01" and hanoi["as_of"] is not None
    assert hanoi["totals"]["enrolments"] == 1 and hanoi["totals"]["learners"] == 1
    assert {place["code"] for place in hanoi["places"] if place["figures"]["enrolments"]} == {
        learner_hanoi.profile.commune.code
    }
    # Another province's course is never named, as on the page.
    assert {course["slug"] for course in hanoi["top_courses"]} <= {course.slug}

    ministry = with_key(api_client, keys["ministry"])
    national = ministry.get(URL).json()
    assert national["province"] is None and national["totals"]["enrolments"] == 3
    by_province = {place["code"]: place["figures"]["enrolments"] for place in national["places"]}
    assert (by_province["01"], by_province["46"]) == (1, 2)
    one_course = ministry.get(URL, {"course": hue_course.slug}).json()
    assert one_course["course"] == hue_course.slug and one_course["totals"]["enrolments"] == 1
    assert ministry.get(URL, {"province": "46"}).json()["totals"]["enrolments"] == 2


@pytest.mark.django_db
def test_another_provinces_figures_and_course_answer_as_missing(api_client, keys, province_hue):
    client = with_key(api_client, keys["province_a"])
    other, missing = client.get(URL, {"province": "46"}), client.get(URL, {"province": "99"})
    assert (other.status_code, other.content) == (missing.status_code, missing.content)
    assert other.status_code == 404
    assert client.get(URL, {"province": "01"}).status_code == 200
    hue_course = course_make(title="Nháp Huế", province=province_hue)
    refused = client.get(URL, {"course": hue_course.slug})
    unknown = client.get(URL, {"course": "khong-co"})
    assert refused.status_code == unknown.status_code == 400
    assert (
        refused.json()["errors"]
        == unknown.json()["errors"]
        == [{"parameter": "course", "detail": refused.json()["errors"][0]["detail"]}]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"units": "x"}, "units"),
    ],
)
def test_the_dashboards_form_refuses_what_the_page_refuses(api_client, keys, params, parameter):
    response = with_key(api_client, keys["ministry"]).get(URL, params)
    assert response.status_code == 400
    assert [error["parameter"] for error in response.json()["errors"]] == [parameter]


@pytest.mark.django_db
def test_statements_do_not_grow_with_courses(api_client, keys):
    """The same statements with 2 and 22 courses (the dashboard's selectors read each section in one query)."""
    client = with_key(api_client, keys["province_a"])
    course_make(title="Khóa đầu"), course_make(title="Khóa hai")
    client.get(URL)  # the key's "last used" is written once a minute: not on the counted calls

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    small = statements()
    for number in range(20):
        course_make(title=f"Khóa {number}")
    assert statements() == small


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["0\x001", "Hà Nội", "٠١"])
def test_a_province_code_that_cannot_be_one_is_missing(api_client, keys, code):
    """Found by schemathesis: a NUL byte reached PostgreSQL, which refuses it (a 500)."""
    response = with_key(api_client, keys["ministry"]).get(URL, {"province": code})
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_an_address_with_a_line_break_is_a_problem_too(api_client, keys):
    """Found by schemathesis: `.` stops at a line break, so such an address got Django's HTML 404."""
    response = with_key(api_client, keys["ministry"]).get("/api/v1/courses/a%0Ab/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
