"""The demo catalogue's final quiz, built through the question and quiz services."""

from collections import Counter

import pytest

from courses.demo.courses import demo_courses_load
from courses.demo.quiz import DEMO_QUESTIONS, DEMO_QUIZ_COURSE, demo_quiz_load
from courses.models import Lesson, Question

pytestmark = pytest.mark.django_db


def test_demo_quiz_is_a_published_final_exam_and_loading_again_changes_nothing(admin_units):
    """The public-services course gets its question bank and a published final quiz, once."""
    demo_courses_load()

    lesson = demo_quiz_load()
    again = demo_quiz_load()

    assert lesson.is_published and lesson.quiz.is_final_exam
    assert lesson.quiz.questions_drawn <= len(DEMO_QUESTIONS)
    assert again is None
    assert Question.objects.filter(course__slug=DEMO_QUIZ_COURSE, is_active=True).count() == len(DEMO_QUESTIONS)
    assert Lesson.objects.filter(course__slug=DEMO_QUIZ_COURSE, kind=Lesson.Kind.QUIZ).count() == 1


def test_demo_bank_puts_no_place_in_the_written_order_right_in_more_than_half_the_questions():
    """Neither the first answer written nor any other place is the right one in most demo questions."""
    places = Counter(
        place
        for _kind, _text, answers, _explanation in DEMO_QUESTIONS
        for place, (_answer, correct) in enumerate(answers)
        if correct
    )
    assert max(places.values()) <= len(DEMO_QUESTIONS) / 2, places
