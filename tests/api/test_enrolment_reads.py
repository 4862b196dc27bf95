"""GET /api/v1/enrolments/?course=<slug>: the learner export's rows of a course, with progress, a course
out of reach answering as a missing one, cursor pages and bounded statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Lesson
from learners.models import Certificate, CourseCompletion, LessonProgress
from learners.services.enrolments import enrolment_create
from tests.api.conftest import with_key
from tests.factories import course_make, learner_make, lesson_make

pytestmark = pytest.mark.django_db
URL = "/api/v1/enrolments/"


def certified(enrolment, code: str) -> None:
    completion = CourseCompletion.objects.create(
        enrolment=enrolment, learner=enrolment.learner, course=enrolment.course, completed_at=timezone.now()
    )
    Certificate.objects.create(
        completion=completion,
        code=code,
        learner_name="Nguyễn Văn An",
        course_title=enrolment.course.title,
        issuer_name="Bộ",
        completed_on=timezone.localdate(),
    )


@pytest.fixture
def course():
    course = course_make(title="Chuyển đổi số cho cán bộ xã")
    for number in range(4):
        lesson_make(course=course, kind=Lesson.Kind.TEXT, title=f"Bài {number}")
    return course


def test_a_province_reads_its_learners_progress_in_a_course(api_client, keys, course, learner_hanoi, learner_hue):
    hanoi = enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    # One of four required lessons done (how it was done is the progress services' business).
    LessonProgress.objects.create(
        learner=learner_hanoi,
        lesson=course.lessons.filter(is_required=True).first(),
        enrolment=hanoi,
        completed_at=timezone.now(),
    )
    certified(hanoi, "ABCD-EFGH-JKLM-NPQR")

    body = with_key(api_client, keys["province_a"]).get(URL, {"course": course.slug}).json()

    [row] = body["results"]
    assert row["id"] == hanoi.id and row["learner"]["email"] == "learner.hanoi@example.vn"
    assert (row["province"], row["progress_percent"], row["is_active"]) == ("01", 25, True)
    assert row["completed_at"] and row["certificate"]["code"] == "ABCD-EFGH-JKLM-NPQR"
    assert row["certificate"]["revoked"] is False
    everyone = with_key(api_client, keys["ministry"]).get(URL, {"course": course.slug}).json()["results"]
    assert len(everyone) == 2


def test_a_course_of_another_province_answers_as_a_missing_one(api_client, keys, province_hue, learner_hue):
    hue_course = course_make(title="Du lịch số Huế", province=province_hue)
    enrolment_create(learner=learner_hue, course=hue_course)
    client = with_key(api_client, keys["province_a"])
    missing = client.get(URL, {"course": "khong-co"})
    other = client.get(URL, {"course": hue_course.slug})
    assert (other.status_code, other.content) == (missing.status_code, missing.content)
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert len(with_key(api_client, keys["province_b"]).get(URL, {"course": hue_course.slug}).json()["results"]) == 1


def test_without_a_course_it_is_a_400_problem(api_client, keys):
    response = with_key(api_client, keys["province_a"]).get(URL)
    assert response.status_code == 400
    assert [error["parameter"] for error in response.json()["errors"]] == ["course"]


def statements_for(client, course) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"course": course.slug, "page_size": 500}).status_code == 200
    return len(queries)


def test_cursor_pages_and_statements_that_do_not_grow(api_client, keys, course, commune_hanoi):
    client = with_key(api_client, keys["province_a"])
    for _ in range(3):
        certified(enrolment_create(learner=learner_make(commune=commune_hanoi), course=course), _code())
    statements_for(client, course)  # the key's "last used" is written once a minute: not on the counted calls
    small = statements_for(client, course)
    for _ in range(30):
        enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    assert statements_for(client, course) == small <= 5
    seen, url, params = [], URL, {"course": course.slug, "page_size": 7}
    while url:
        page = client.get(url, params).json()
        seen += [row["id"] for row in page["results"]]
        url, params = page["next"], None
    assert len(seen) == len(set(seen)) == 33 and seen == sorted(seen)


_codes = iter(range(1000, 10000))


def _code() -> str:
    return f"TEST-CODE-{next(_codes)}"


@pytest.mark.parametrize("slug", ["a\x00b", "khóa học"])
def test_a_text_that_cannot_be_a_slug_is_a_missing_course(api_client, keys, slug):
    """Found by schemathesis: a NUL byte reached PostgreSQL, which refuses it (a 500)."""
    response = with_key(api_client, keys["province_a"]).get(URL, {"course": slug})
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
