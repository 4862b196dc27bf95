"""The demo catalogue obeys every rule the studio enforces, and each audience group can complete a course."""

from collections import Counter

import pytest

from courses.demo.catalogue import demo_catalogue_load, demo_courses_publish
from courses.demo.courses import DEMO_COURSES, demo_courses_load
from courses.demo.quiz import DEMO_QUIZZES
from courses.models import Course, Lesson, Module, Question, Quiz
from courses.services.catalogue import course_publish_problem
from courses.services.structure import lesson_publish_problem
from onetouch.models import AudienceGroup

pytestmark = pytest.mark.django_db


def demo_courses():
    return Course.objects.filter(slug__in=[demo.slug for demo in DEMO_COURSES]).prefetch_related("audiences")


def course_is_complete(course: Course) -> bool:
    """Every lesson is published and one of them is the course's final quiz."""
    lessons = list(course.lessons.all())
    finals = Quiz.objects.filter(lesson__in=lessons, lesson__is_published=True, is_final_exam=True)
    return bool(lessons) and all(lesson.is_published for lesson in lessons) and finals.exists()


def test_every_demo_course_walks_through_the_publish_rules(admin_units):
    """Each demo course is published, with published text lessons that pass the lesson rules; quizzes can draw."""
    assert demo_catalogue_load(with_media=False) == len(DEMO_COURSES)

    courses = list(demo_courses())
    assert len(courses) == len(DEMO_COURSES) and all(course.is_published for course in courses)
    for course in courses:
        assert course_publish_problem(course) is None, course.slug
        published = course.lessons.filter(is_published=True)
        assert published.filter(kind=Lesson.Kind.TEXT).exclude(body_html="").exists(), course.slug
        for lesson in published:
            assert lesson_publish_problem(lesson) is None, (course.slug, lesson.title)
    quizzes = Quiz.objects.filter(lesson__course__in=courses, lesson__is_published=True).select_related("lesson")
    assert quizzes.count() == len(DEMO_QUIZZES)
    for quiz in quizzes:
        bank = Question.objects.filter(course_id=quiz.lesson.course_id, is_active=True)
        assert bank.count() >= quiz.questions_drawn > 1, quiz.lesson.course_id


def test_every_audience_group_has_a_complete_demo_course_with_a_final_quiz(admin_units):
    """Leaders, civil servants, digital teams and the public each find a course they can finish and be certified."""
    demo_catalogue_load(with_media=False)

    complete = [course for course in demo_courses() if course.is_published and course_is_complete(course)]
    groups = {audience.code for course in complete for audience in course.audiences.all()}
    assert groups == set(AudienceGroup.values)


def test_a_demo_course_takes_its_lessons_in_order(admin_units):
    """The scam-spotting course shows that the studio can make learners go through lessons in order."""
    demo_catalogue_load(with_media=False)

    in_order = demo_courses().filter(requires_order=True, is_published=True)
    assert in_order.exists()
    assert all(course_is_complete(course) for course in in_order)


def test_loading_the_demo_catalogue_again_changes_nothing(admin_units):
    """A second load finds every course, module, lesson and question in place and adds none."""
    demo_catalogue_load(with_media=False)

    def snapshot():
        return (
            list(demo_courses().order_by("slug").values("slug", "title", "is_published", "requires_order")),
            list(Module.objects.order_by("id").values("id", "course_id", "title", "position")),
            list(Lesson.objects.order_by("id").values("id", "title", "is_published", "position", "body_html")),
            Question.objects.count(),
        )

    before = snapshot()
    demo_catalogue_load(with_media=False)

    assert snapshot() == before


def test_an_old_demo_database_gets_lessons_for_the_courses_it_published_empty(admin_units):
    """A database loaded before the lessons existed has its empty published courses filled, not forced."""
    demo_courses_load()
    Course.objects.filter(slug__in=[demo.slug for demo in DEMO_COURSES]).update(is_published=True)

    demo_catalogue_load(with_media=False)

    assert all(course_publish_problem(course) is None for course in demo_courses().filter(is_published=True))
    assert demo_courses().filter(is_published=True).count() == len(DEMO_COURSES)


def test_a_demo_course_the_rules_refuse_stays_a_draft(admin_units):
    """Without lessons no demo course is published, even one an older load had published."""
    demo_courses_load()
    Course.objects.filter(slug=DEMO_COURSES[0].slug).update(is_published=True)

    assert demo_courses_publish() == 0

    assert not demo_courses().filter(is_published=True).exists()


@pytest.mark.parametrize("demo", DEMO_QUIZZES, ids=lambda demo: demo.course_slug)
def test_demo_bank_puts_no_place_in_the_written_order_right_in_more_than_half_the_questions(demo):
    """Neither the first answer written nor any other place is the right one in most of a bank's questions."""
    places = Counter(
        place
        for _kind, _text, answers, _explanation in demo.questions
        for place, (_answer, correct) in enumerate(answers)
        if correct
    )
    assert max(places.values()) <= len(demo.questions) / 2, places
    assert demo.drawn < len(demo.questions)
