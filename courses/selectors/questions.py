"""Reads of the question bank: a course's questions and tags, and a quiz lesson's settings."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import Choice, Course, Lesson, Question, QuestionTag, Quiz
from onetouch import scope
from onetouch.models import User


def question_list_for_bank(*, course: Course, tag: QuestionTag | None, is_active: bool | None) -> QuerySet[Question]:
    """Return the course's questions for its bank page, newest first, with their tags and choice counts."""
    questions_ = course.questions.prefetch_related("tags").annotate(choice_count=Count("choices"))
    if tag is not None:
        questions_ = questions_.filter(tags=tag)
    if is_active is not None:
        questions_ = questions_.filter(is_active=is_active)
    return questions_.order_by("-id")


def question_get_for_studio(*, user: User, question_id: int) -> Question:
    """Return the question if the user may change its course, else 404; with its choices and tags."""
    questions_ = scope.filter_to_scope(
        Question.objects.select_related("course").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "id")), "tags"
        ),
        user,
        province_field="course__owner_province",
    )
    return get_object_or_404(questions_, id=question_id)


def question_active_count(*, course: Course) -> int:
    """Return how many of the course's questions are in use (quizzes draw from these)."""
    return course.questions.filter(is_active=True).count()


def quiz_for_lesson(*, lesson: Lesson) -> Quiz | None:
    """Return the settings of a quiz lesson, or None before they are first saved."""
    return Quiz.objects.select_related("draw_tag").filter(lesson=lesson).first()


def quiz_candidate_questions(*, quiz: Quiz) -> QuerySet[Question]:
    """Return the questions a quiz draws from: its course's questions in use, of its tag if it has one."""
    candidates = Question.objects.filter(course_id=quiz.lesson.course_id, is_active=True)
    if quiz.draw_tag_id is not None:
        candidates = candidates.filter(tags=quiz.draw_tag_id)
    return candidates


def question_tags_with_counts(*, course: Course) -> QuerySet[QuestionTag]:
    """Return the course's tags, each with how many of its questions are in use."""
    return course.question_tags.annotate(active_count=Count("questions", filter=Q(questions__is_active=True)))
