"""The answers that complete a lesson carry the outline as the server sees it: the percentage, the
marks and locks, and the previous and next links, the same as the lesson page renders on reload
(static/js/outline.js only applies them). One rule says which lesson is next, for every page."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Lesson
from courses.selectors.outline import OutlineLesson, course_outline_get, course_outlines_get, next_to_learn
from courses.services.catalogue import course_publish
from courses.services.structure import module_create
from learners.models import LessonProgress
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_progress_open
from tests.factories import course_make, lesson_make, seconds_pass, video_lesson_make

pytestmark = pytest.mark.django_db

HEARTBEAT_URL = "/learning/heartbeat/"
READING = "<p>" + "đọc " * 1200 + "</p>"  # minutes of reading: "Mark as read" waits for them
OUTLINE_ITEM = re.compile(r'<li class="outline-lesson([^"]*)" data-lesson="(\d+)"')


@pytest.fixture
def ordered_course(province_hue, learner_hue) -> tuple[Course, list[Lesson]]:
    """Huế's course taken in order, Huế's learner enrolled: two required text lessons, then one-page slides."""
    course = course_make(title="Nhận diện lừa đảo", province=province_hue, is_published=False)
    module = module_create(course=course, title="Phần 1")
    for title in ("Bài đọc 1", "Bài đọc 2"):
        lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, title=title, body_html=READING)
    lesson_make(course=course, module=module, kind=Lesson.Kind.SLIDES, title="Trình chiếu", page_count=1)
    Course.objects.filter(id=course.id).update(requires_order=True)
    course.refresh_from_db()
    course = course_publish(course=course)
    enrolment_create(learner=learner_hue, course=course)
    return course, list(course.lessons.order_by("module__position", "module__id", "position", "id"))


def lesson_url(lesson: Lesson) -> str:
    return reverse("learners:lesson", args=[lesson.course.slug, lesson.id])


def mark_read_url(lesson: Lesson) -> str:
    return reverse("learners:lesson_complete", args=[lesson.course.slug, lesson.id])


def reading_time_passes(learner, lesson: Lesson) -> None:
    seconds_pass(lesson_progress_open(learner=learner, lesson=lesson), 3600)


def lessons_done(learner, lessons: list[Lesson]) -> None:
    for lesson in lessons:
        progress = lesson_progress_open(learner=learner, lesson=lesson)
        LessonProgress.objects.filter(id=progress.id).update(completed_at=timezone.now())


def mark_read(client, lesson: Lesson):
    return client.post(mark_read_url(lesson), HTTP_ACCEPT="application/json")


def rendered_state(html: str) -> dict:
    """Read back from a lesson page what outline_state sends: percentage, marks, locks, next link."""
    items = OUTLINE_ITEM.findall(html)
    step = re.search(r'<(a|span)[^>]*data-step="next"[^>]*(?:href|data-href)="([^"]+)"', html)
    return {
        "percent": int(re.search(r'<progress id="course-progress" max="100" value="(\d+)"', html).group(1)),
        "done": [int(lesson_id) for classes, lesson_id in items if "is-done" in classes],
        "locked": [int(lesson_id) for classes, lesson_id in items if "is-locked" in classes],
        "next": {"url": step.group(2), "locked": step.group(1) == "span"} if step else None,
    }


def sent_state(outline: dict) -> dict:
    """The part of an answer's outline that rendered_state reads back."""
    following = outline["next"]
    return {
        "percent": outline["percent"],
        "done": outline["done"],
        "locked": outline["locked"],
        "next": {"url": following["url"], "locked": following["locked"]} if following else None,
    }


def test_mark_as_read_answers_the_outline_the_page_renders_on_reload(client, learner_hue, ordered_course):
    """Marking the first lesson read answers 33 %, it done, the next lesson open: what a reload shows."""
    course, (first, second, slides) = ordered_course
    client.force_login(learner_hue)
    before = rendered_state(client.get(lesson_url(first)).content.decode())
    reading_time_passes(learner_hue, first)

    response = mark_read(client, first)

    assert response.status_code == 200
    answer = response.json()
    assert answer["completed"] is True
    outline = answer["outline"]
    assert outline["percent"] == 33
    assert outline["done"] == [first.id]
    assert outline["locked"] == [slides.id]
    assert outline["previous"] is None
    assert outline["next"] == {"id": second.id, "url": lesson_url(second), "locked": False}
    assert before == {
        "percent": 0,
        "done": [],
        "locked": [second.id, slides.id],
        "next": {"url": lesson_url(second), "locked": True},
    }
    assert sent_state(outline) == rendered_state(client.get(lesson_url(first)).content.decode())


def test_mark_as_read_too_soon_answers_why_in_json_and_changes_nothing(client, learner_hue, ordered_course):
    """Before the reading time has passed, the JSON answer is a 400 with the reason, and nothing completes."""
    course, (first, *_rest) = ordered_course
    client.force_login(learner_hue)
    client.get(lesson_url(first))

    response = mark_read(client, first)

    assert response.status_code == 400
    assert "error" in response.json() and "outline" not in response.json()
    assert LessonProgress.objects.get(learner=learner_hue, lesson=first).completed_at is None


def test_mark_as_read_without_script_still_redirects_to_the_lesson(client, learner_hue, ordered_course):
    """The form posted without asking for JSON is answered with the lesson page, as before."""
    course, (first, *_rest) = ordered_course
    client.force_login(learner_hue)
    reading_time_passes(learner_hue, first)

    response = client.post(mark_read_url(first))

    assert response.status_code == 302 and response.url == lesson_url(first)
    assert LessonProgress.objects.get(learner=learner_hue, lesson=first).completed_at is not None


def test_completing_heartbeat_answers_the_outline_the_page_renders_on_reload(client, learner_hue, ordered_course):
    """The heartbeat that completes the slides answers the outline: 100 %, every lesson done, no lock."""
    course, lessons = ordered_course
    *readings, slides = lessons
    lessons_done(learner_hue, readings)
    client.force_login(learner_hue)
    html = client.get(lesson_url(slides)).content.decode()
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    seconds_pass(LessonProgress.objects.get(learner=learner_hue, lesson=slides), 5)

    answer = client.post(HEARTBEAT_URL, json.dumps({"token": token, "page": 1}), content_type="text/plain").json()

    assert answer["completed"] is True
    outline = answer["outline"]
    assert outline["percent"] == 100
    assert outline["done"] == [lesson.id for lesson in lessons]
    assert outline["locked"] == []
    assert outline["previous"] == {"id": readings[-1].id, "url": lesson_url(readings[-1]), "locked": False}
    assert outline["next"] is None
    assert sent_state(outline) == rendered_state(client.get(lesson_url(slides)).content.decode())
    # Heartbeats after the completion complete nothing and carry no outline.
    again = client.post(HEARTBEAT_URL, json.dumps({"token": token, "page": 1}), content_type="text/plain").json()
    assert again["completed"] is True and "outline" not in again


def test_completion_answers_have_bounded_query_counts(
    client, learner_hue, ordered_course, django_assert_max_num_queries
):
    """Mark-as-read's JSON answer and the completing heartbeat read the outline in a bounded number of
    statements; a heartbeat that completes nothing still sends two."""
    course, (first, second, slides) = ordered_course
    client.force_login(learner_hue)
    reading_time_passes(learner_hue, first)
    # Access, the reading check, the completion and its event, plus one statement for the outline.
    with django_assert_max_num_queries(11):
        assert mark_read(client, first).json()["outline"]["percent"] == 33
    lessons_done(learner_hue, [second])
    html = client.get(lesson_url(slides)).content.decode()
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    body = json.dumps({"token": token, "page": 1})

    with django_assert_max_num_queries(2):
        assert "outline" not in client.post(HEARTBEAT_URL, body, content_type="text/plain").json()
    seconds_pass(LessonProgress.objects.get(learner=learner_hue, lesson=slides), 5)
    # The completion's own statements (event, course check) plus two for the outline.
    with django_assert_max_num_queries(22):
        assert client.post(HEARTBEAT_URL, body, content_type="text/plain").json()["outline"]["percent"] == 100


# --- The one rule of the next lesson --------------------------------------------------------------


def outline_items(*marks: str) -> list[OutlineLesson]:
    """Outline lessons from marks: "d" done, "l" locked, "o" open (not done)."""
    return [
        OutlineLesson(lesson=Lesson(id=number, title=f"Bài {number}"), is_done=mark == "d", is_locked=mark == "l")
        for number, mark in enumerate(marks, start=1)
    ]


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        (("o", "l", "l"), 1),  # nothing done: the first lesson
        (("d", "o", "l"), 2),  # the first lesson not done
        (("d", "o", "d"), 2),  # done out of order: still the gap
        (("d", "d", "d"), 1),  # all done: back to the first lesson
        (("d", "l", "o"), 3),  # a locked lesson is skipped
    ],
)
def test_next_to_learn_is_the_first_lesson_open_and_not_done(marks, expected):
    assert next_to_learn(outline_items(*marks)).lesson.id == expected


def test_next_to_learn_of_an_empty_course_is_none():
    assert next_to_learn([]) is None


def test_outlines_of_many_courses_read_together_agree_with_each_outline(
    learner_hue, ordered_course, province_hue, django_assert_num_queries
):
    """Several courses' outlines in one query say what each course's own outline says."""
    course, (first, second, _slides) = ordered_course
    other = course_make(title="Khóa tự do", province=province_hue)
    lesson_make(course=other, kind=Lesson.Kind.TEXT, title="Bài tự do")
    enrolment_create(learner=learner_hue, course=other)
    lessons_done(learner_hue, [first])

    with django_assert_num_queries(1):
        outlines = course_outlines_get(courses=[course, other], learner=learner_hue)

    for each in (course, other):
        alone = course_outline_get(course=each, learner=learner_hue)
        together = outlines[each.id]
        assert [(i.lesson.id, i.is_done, i.is_locked) for i in together.lessons] == [
            (i.lesson.id, i.is_done, i.is_locked) for i in alone.lessons
        ]
        assert together.next_to_learn().lesson == alone.next_to_learn().lesson
    assert outlines[course.id].next_to_learn().lesson == second
    assert [i.is_locked for i in outlines[course.id].lessons] == [False, False, True]


def test_outline_endpoint_answers_what_the_page_renders(client, learner_hue, ordered_course, learner_hanoi):
    """The outline alone (asked when a completing answer was lost) is the page's state; others get 404."""
    course, (first, second, slides) = ordered_course
    lessons_done(learner_hue, [first])
    url = reverse("learners:lesson_outline", args=[course.slug, second.id])
    client.force_login(learner_hue)

    outline = client.get(url).json()["outline"]

    assert outline["percent"] == 33 and outline["done"] == [first.id] and outline["locked"] == [slides.id]
    assert outline["next"] == {"id": slides.id, "url": lesson_url(slides), "locked": True}
    html = client.get(lesson_url(second)).content.decode()
    assert sent_state(outline) == rendered_state(html)
    assert f'data-outline-url="{url}"' in html
    client.force_login(learner_hanoi)
    assert client.get(url).status_code == 404


def test_the_video_heartbeat_that_completes_carries_the_outline_and_no_other(client, learner_hue, province_hue):
    """Of a video's heartbeats, only the one that completes it carries the outline, as the page renders it."""
    course = course_make(title="Video Huế", province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    video = video_lesson_make(course=course, duration=600.0)
    client.force_login(learner_hue)
    token = re.search(r'data-token="([^"]+)"', client.get(lesson_url(video)).content.decode()).group(1)
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=video)
    answers = []
    for start in [*range(0, 600, 60), 540]:  # the last minute watched again after the completion
        seconds_pass(progress, 60)
        report = {"token": token, "intervals": [[start, start + 60]], "position": start + 60}
        answers.append(client.post(HEARTBEAT_URL, json.dumps(report), content_type="text/plain").json())

    assert [answer["completed"] for answer in answers] == [False] * 9 + [True, True]
    assert ["outline" in answer for answer in answers] == [False] * 9 + [True, False]
    outline = answers[9]["outline"]
    assert video.id in outline["done"]
    assert sent_state(outline) == rendered_state(client.get(lesson_url(video)).content.decode())
