"""Course completion: the rule (required lessons and the final quiz), recorded once, and the certificate task."""

import pytest
from kombu.simple import SimpleQueue

from courses.models import Lesson
from learners.models import CourseCompletion, Enrolment, LearningEvent
from learners.services.completion import course_completion_check
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_complete_manually, lesson_progress_open, slides_page_view_record
from learners.services.quizzes import attempt_start, attempt_submit
from onetouch.celery import app
from tests.factories import answer_all, course_make, lesson_make, quiz_make, run_at_once, seconds_pass

pytestmark = pytest.mark.django_db


def text_lesson_make(course, title: str = "Bài đọc", **fields) -> Lesson:
    return lesson_make(course=course, kind=Lesson.Kind.TEXT, title=title, body_html="<p>Nội dung bài học</p>", **fields)


def quiz_take(learner, quiz, *, right: int) -> None:
    attempt = attempt_start(learner=learner, quiz=quiz)
    answer_all(attempt, right=right)
    attempt_submit(attempt=attempt)


def completed_events(learner) -> int:
    return LearningEvent.objects.filter(learner=learner, kind=LearningEvent.Kind.COURSE_COMPLETED).count()


@pytest.fixture
def broker_queue():
    """The real broker's default queue, emptied before and after the test."""
    with app.connection_for_write() as connection:
        queue = SimpleQueue(connection, app.conf.task_default_queue)
        queue.clear()
        yield queue
        queue.clear()
        queue.close()


@pytest.fixture
def course(learner_hanoi):
    """A course with two required text lessons, an optional one and a final quiz; the learner enrolled."""
    course = course_make(title="Chuyển đổi số cho cán bộ xã")
    enrolment_create(learner=learner_hanoi, course=course)
    return course


@pytest.fixture
def lessons(course):
    return [text_lesson_make(course, "Bài 1"), text_lesson_make(course, "Bài 2")]


@pytest.fixture
def final_quiz(course, lessons):
    text_lesson_make(course, "Bài đọc thêm", is_required=False)
    return quiz_make(course=course)


def test_required_lessons_and_a_passed_final_quiz_complete_the_course_once(
    course, lessons, final_quiz, learner_hanoi, django_capture_on_commit_callbacks, broker_queue
):
    """Passing the final quiz after the required lessons: one completion, its event, the certificate task queued."""
    for lesson in lessons:
        lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    assert not CourseCompletion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        quiz_take(learner_hanoi, final_quiz, right=10)

    completion = CourseCompletion.objects.get()
    enrolment = Enrolment.objects.get(learner=learner_hanoi, course=course)
    assert (completion.enrolment_id, completion.learner_id, completion.course_id) == (
        enrolment.id,
        learner_hanoi.id,
        course.id,
    )
    assert completion.completed_at is not None
    assert completed_events(learner_hanoi) == 1
    assert len(callbacks) == 1
    message = broker_queue.get(block=True, timeout=5)
    assert message.headers["task"] == "learners.tasks.certificate_issue"
    assert message.payload[0] == [completion.id]
    message.ack()

    assert course_completion_check(enrolment=enrolment) == completion
    assert CourseCompletion.objects.count() == 1
    assert completed_events(learner_hanoi) == 1


def test_without_the_final_quiz_passed_the_course_is_not_complete(
    course, lessons, final_quiz, learner_hanoi, django_capture_on_commit_callbacks
):
    """Every lesson done but the final quiz failed: no completion, no event, no task."""
    for lesson in lessons:
        lesson_complete_manually(learner=learner_hanoi, lesson=lesson)

    with django_capture_on_commit_callbacks() as callbacks:
        quiz_take(learner_hanoi, final_quiz, right=6)
        check = course_completion_check(enrolment=Enrolment.objects.get(learner=learner_hanoi))

    assert check is None
    assert not CourseCompletion.objects.exists()
    assert completed_events(learner_hanoi) == 0
    assert callbacks == []


def test_passing_the_final_quiz_first_completes_with_the_last_required_lesson(
    course, lessons, final_quiz, learner_hanoi, django_capture_on_commit_callbacks
):
    """A learner who passes the quiz early completes the course when the last required lesson is read."""
    quiz_take(learner_hanoi, final_quiz, right=10)
    lesson_complete_manually(learner=learner_hanoi, lesson=lessons[0])
    assert not CourseCompletion.objects.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        lesson_complete_manually(learner=learner_hanoi, lesson=lessons[1])

    assert CourseCompletion.objects.filter(learner=learner_hanoi, course=course).count() == 1
    assert len(callbacks) == 1


def test_optional_lessons_and_draft_quizzes_do_not_hold_completion_back(course, lessons, learner_hanoi):
    """Without a published final quiz, the required lessons alone complete the course; optional ones do not count."""
    text_lesson_make(course, "Bài đọc thêm", is_required=False)
    quiz_make(course=course, is_published=False, questions=3)
    for lesson in lessons:
        lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    assert CourseCompletion.objects.filter(learner=learner_hanoi).count() == 1
    assert completed_events(learner_hanoi) == 1


def test_the_completing_heartbeat_completes_the_course(course, learner_hanoi):
    """The slide view that completes the last required lesson also completes the course."""
    slides = lesson_make(course=course, kind=Lesson.Kind.SLIDES, title="Trình chiếu", page_count=2)
    progress = lesson_progress_open(learner=learner_hanoi, lesson=slides)
    slides_page_view_record(progress=progress, page=1)
    seconds_pass(progress, 3)
    slides_page_view_record(progress=progress, page=2)
    assert not CourseCompletion.objects.exists()
    seconds_pass(progress, 3)
    slides_page_view_record(progress=progress, page=2)
    assert CourseCompletion.objects.filter(learner=learner_hanoi, course=course).count() == 1


def test_a_course_with_nothing_required_is_never_complete(learner_hanoi):
    """A course of optional lessons and no final quiz gives no completion to certify."""
    course = course_make()
    enrolment = enrolment_create(learner=learner_hanoi, course=course)
    lesson = text_lesson_make(course, is_required=False)
    lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    assert course_completion_check(enrolment=enrolment) is None
    assert not CourseCompletion.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_record_one_completion(commune_hanoi, learner_hanoi, broker_queue):
    """Two checks released together by a barrier record one completion and one event."""
    course = course_make()
    enrolment = enrolment_create(learner=learner_hanoi, course=course)
    lesson = text_lesson_make(course)
    # Completed without the service, so that no check has run yet.
    progress = lesson_progress_open(learner=learner_hanoi, lesson=lesson)
    type(progress).objects.filter(id=progress.id).update(completed_at=enrolment.enrolled_at)
    results, errors = run_at_once(lambda: course_completion_check(enrolment=Enrolment.objects.get(id=enrolment.id)))

    assert errors == []
    assert len(results) == 2 and results[0].id == results[1].id
    assert CourseCompletion.objects.count() == 1
    assert completed_events(learner_hanoi) == 1
