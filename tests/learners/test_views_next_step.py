"""The next step is always obvious: enrolling opens the lesson the learner starts with, and each card of
My learning offers "Start" or "Continue" to the outline's next lesson."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Lesson
from courses.selectors.outline import course_outline_get
from courses.services.structure import module_create
from learners.models import LessonProgress
from learners.selectors.enrolments import enrolment_list_for_learner, enrolments_next_lesson_set
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_progress_open
from tests.factories import course_make, lesson_make

pytestmark = pytest.mark.django_db


def lessons_course_make(*, requires_order: bool = False, count: int = 3) -> tuple[Course, list[Lesson]]:
    """A published course: its optional introduction, then `count` required text lessons."""
    course = course_make()
    module = module_create(course=course, title="Phần chính")
    for number in range(count):
        lesson_make(course=course, kind=Lesson.Kind.TEXT, title=f"Bài {number}", module=module)
    Course.objects.filter(id=course.id).update(requires_order=requires_order)
    course.refresh_from_db()
    return course, list(course.lessons.order_by("module__position", "module__id", "position", "id"))


def lesson_done(learner, lesson: Lesson) -> None:
    progress = lesson_progress_open(learner=learner, lesson=lesson)
    LessonProgress.objects.filter(id=progress.id).update(completed_at=timezone.now())


def test_enrolling_opens_the_first_lesson(client, learner_hanoi):
    """After "Enrol", the learner lands on the course's first lesson, not on My learning."""
    course, lessons = lessons_course_make()
    client.force_login(learner_hanoi)

    response = client.post(reverse("learners:enrol", args=[course.slug]))

    assert response.status_code == 302
    assert response.url == reverse("learners:lesson", args=[course.slug, lessons[0].id])
    assert client.get(response.url).status_code == 200


def test_enrolling_again_opens_the_next_lesson_not_done(client, learner_hanoi):
    """A learner who comes back and presses "Enrol" again lands on the first lesson not completed."""
    course, lessons = lessons_course_make(requires_order=True)
    enrolment_create(learner=learner_hanoi, course=course)
    lesson_done(learner_hanoi, lessons[0])
    lesson_done(learner_hanoi, lessons[1])
    client.force_login(learner_hanoi)

    response = client.post(reverse("learners:enrol", args=[course.slug]))

    assert response.url == reverse("learners:lesson", args=[course.slug, lessons[2].id])


def test_my_learning_says_start_before_any_lesson_is_done(in_english, learner_hanoi):
    """A card with no lesson done offers "Start", leading to the first lesson, and names it."""
    course, lessons = lessons_course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    in_english.force_login(learner_hanoi)

    html = in_english.get(reverse("learners:my_learning")).content.decode()

    assert reverse("learners:lesson", args=[course.slug, lessons[0].id]) in html
    assert ">Start</a>" in html
    assert f"Next lesson: {lessons[0].title}" in html


def test_my_learning_says_continue_to_the_first_lesson_not_done(in_english, learner_hanoi):
    """With lessons done, the card offers "Continue" to the first lesson not completed, as the outline does."""
    course, lessons = lessons_course_make(requires_order=True)
    enrolment_create(learner=learner_hanoi, course=course)
    lesson_done(learner_hanoi, lessons[0])
    lesson_done(learner_hanoi, lessons[2])  # done out of order: the next is still lessons[1]
    in_english.force_login(learner_hanoi)

    html = in_english.get(reverse("learners:my_learning")).content.decode()

    assert ">Continue</a>" in html
    assert reverse("learners:lesson", args=[course.slug, lessons[1].id]) in html
    assert course_outline_get(course=course, learner=learner_hanoi).next_to_learn().lesson == lessons[1]


def test_next_lesson_agrees_with_the_outline(learner_hanoi):
    """The list's next lesson is the outline's `next_to_learn` for each state of a course."""
    course, lessons = lessons_course_make(requires_order=True)
    enrolment_create(learner=learner_hanoi, course=course)
    for done in range(len(lessons) + 1):
        enrolments = list(enrolment_list_for_learner(learner=learner_hanoi))
        (enrolment,) = enrolments_next_lesson_set(enrolments=enrolments, learner=learner_hanoi)
        outline = course_outline_get(course=course, learner=learner_hanoi)
        assert enrolment.next_lesson == outline.next_to_learn().lesson
        assert enrolment.next_lesson == (lessons[done] if done < len(lessons) else lessons[0])
        assert enrolment.has_started == outline.has_started
        if done < len(lessons):
            lesson_done(learner_hanoi, lessons[done])


@pytest.mark.parametrize("size", [2, 20])
def test_my_learning_next_lesson_queries_are_bounded(client, learner_hanoi, django_assert_max_num_queries, size):
    """The Start/Continue buttons cost no query per card, at 2 or 20 courses."""
    for number in range(size):
        course, lessons = lessons_course_make(count=2)
        enrolment_create(learner=learner_hanoi, course=course)
        if number % 2:
            lesson_done(learner_hanoi, lessons[0])
    client.force_login(learner_hanoi)
    with django_assert_max_num_queries(5):
        html = client.get(reverse("learners:my_learning")).content.decode()
    assert html.count('class="course-next"') == min(size, settings.CATALOGUE_PAGE_SIZE)
