"""The demo's final quizzes: a question bank and a published final quiz for one course of each audience group."""

from dataclasses import dataclass

from django.db import transaction

from courses.demo.quiz_banks import PUBLIC_SERVICES_QUESTIONS, SCAM_SPOTTING_QUESTIONS, STATE_SECURITY_QUESTIONS
from courses.models import Course, Lesson
from courses.pure.question_rules import ChoiceRow
from courses.services.questions import question_create, quiz_settings_save
from courses.services.structure import lesson_create, lesson_publish, module_create


@dataclass(frozen=True)
class DemoQuiz:
    course_slug: str
    module_title: str
    tag: str
    questions: list[tuple]  # (kind, question, [(answer, correct)], explanation)
    drawn: int


# Between them they give every audience group a course it can complete with a final quiz:
# the public and digital teams (public services, scams), civil servants (scams, state security)
# and commune leaders (state security).
DEMO_QUIZZES = [
    DemoQuiz("dich-vu-cong-truc-tuyen", "Phần 3. Kiểm tra cuối khóa", "dịch vụ công", PUBLIC_SERVICES_QUESTIONS, 5),
    DemoQuiz("an-toan-thong-tin-co-ban", "Phần 3. Kiểm tra cuối khóa", "lừa đảo", SCAM_SPOTTING_QUESTIONS, 6),
    DemoQuiz(
        "an-toan-thong-tin-co-quan-nha-nuoc",
        "Phần 2. Kiểm tra cuối khóa",
        "an toàn thông tin",
        STATE_SECURITY_QUESTIONS,
        5,
    ),
]


def demo_quizzes_load() -> int:
    """Give each quiz's course its question bank and a published final quiz, once; return how many were added."""
    return sum(demo_quiz_load(demo) is not None for demo in DEMO_QUIZZES)


@transaction.atomic
def demo_quiz_load(demo: DemoQuiz) -> Lesson | None:
    """Give the course its question bank and a published final quiz, unless it has a quiz already."""
    course = Course.objects.filter(slug=demo.course_slug).first()
    if course is None or course.lessons.filter(kind=Lesson.Kind.QUIZ).exists():
        return None
    for kind, text, answers, explanation in demo.questions:
        question_create(
            course=course,
            kind=kind,
            text=text,
            choices=[ChoiceRow(text=answer, is_correct=correct) for answer, correct in answers],
            explanation=explanation,
            tag_names=[demo.tag],
        )
    module = module_create(course=course, title=demo.module_title)
    lesson = lesson_create(module=module, title="Bài kiểm tra cuối khóa", kind=Lesson.Kind.QUIZ, estimated_minutes=15)
    quiz_settings_save(
        lesson=lesson,
        questions_drawn=demo.drawn,
        pass_mark_percent=70,
        attempts_limit=2,
        time_limit_minutes=15,
        is_final_exam=True,
    )
    return lesson_publish(lesson=lesson)
