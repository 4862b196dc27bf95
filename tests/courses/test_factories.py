"""The test builders make only data a real author could have made: what the studio publishes, it allows."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from courses.models import Course, Lesson
from courses.services.structure import lesson_publish_problem
from tests.factories import course_make, courses_bulk_make, lesson_make, quiz_make, video_lesson_make

pytestmark = pytest.mark.django_db


def broken_rules() -> list[str]:
    """Every published course without a published lesson, every published lesson the studio would refuse."""
    problems = [
        f"course {course.title!r} has no published lesson"
        for course in Course.objects.filter(is_published=True).exclude(lessons__is_published=True)
    ]
    for lesson in Lesson.objects.filter(is_published=True).select_related("course"):
        if problem := lesson_publish_problem(lesson):
            problems.append(f"lesson {lesson.title!r} ({lesson.kind}): {problem}")
        if lesson.source and not default_storage.exists(lesson.source.name):
            problems.append(f"lesson {lesson.title!r} ({lesson.kind}): no file at {lesson.source.name}")
    return problems


def test_every_builder_makes_published_data_the_publish_rules_allow(province_hue):
    """Courses, lessons of each kind, quizzes and bulk courses pass the rules the studio applies."""
    course_make()
    course = course_make(province=province_hue)
    video_lesson_make(course=course)
    for kind in (Lesson.Kind.VIDEO, Lesson.Kind.SLIDES, Lesson.Kind.DOCUMENT, Lesson.Kind.TEXT):
        lesson_make(course=course, kind=kind, title=f"Bài {kind}")
    quiz_make(course=course)
    courses_bulk_make(3, audience_codes=("public",))

    assert Course.objects.filter(is_published=True).count() == 5
    # Two introductions, five file and text lessons, the quiz, three bulk lessons.
    assert Lesson.objects.filter(is_published=True).count() == 2 + 5 + 1 + 3
    assert broken_rules() == []


def test_a_published_course_starts_with_one_optional_lesson_and_a_draft_with_none():
    """course_make publishes through a real lesson that completion does not require; a draft has no lesson."""
    published, draft = course_make(), course_make(is_published=False)

    assert list(published.lessons.values_list("is_published", "is_required", "kind")) == [
        (True, False, Lesson.Kind.TEXT)
    ]
    assert not draft.is_published and not draft.lessons.exists()


@pytest.mark.usefixtures("messages_in_english")
@pytest.mark.parametrize(
    "make, refusal",
    [
        (
            lambda course: lesson_make(course=course, kind=Lesson.Kind.TEXT, body_html=""),
            "Write the text of this lesson before publishing it.",
        ),
        (
            lambda course: lesson_make(course=course, kind=Lesson.Kind.VIDEO, processing=Lesson.Processing.WAITING),
            "Upload the file of this lesson before publishing it.",
        ),
        (
            lambda course: video_lesson_make(course=course, processing=Lesson.Processing.PROCESSING),
            "This lesson's file is still being processed. Publish it when it is ready.",
        ),
        (
            lambda course: quiz_make(course=course, questions=3),
            "The quiz draws 10 questions, and the question bank has 3 in use. Add questions or draw fewer.",
        ),
    ],
    ids=["empty text", "no file", "processing", "short bank"],
)
def test_builders_refuse_to_publish_what_the_studio_refuses(make, refusal):
    """Asked for a published lesson the rules refuse, a builder raises the studio's message."""
    course = course_make(is_published=False)
    with pytest.raises(ValidationError) as error:
        make(course)
    assert error.value.messages == [refusal]
    assert not Lesson.objects.filter(course=course, is_published=True).exists()
