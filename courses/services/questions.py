"""Writes of a course's question bank (by hand and by spreadsheet import) and of its quizzes' settings.

Invariants callers may rely on:
- a question's `import_key` is `courses.pure.question_rules.question_import_key` of its kind, text and choices,
  unique per course (a database constraint), so re-importing a file skips what the bank holds;
- a question's choices satisfy `courses.pure.question_rules.choices_problem` (at least two, distinct, one
  correct for single choice and true/false, exactly two for true/false);
- a question that an attempt drew is never deleted, and keeps its kind, its number of choices and
  which of them are correct, so past attempts keep their grading and review; it can be
  deactivated, reactivated, and have its wording, explanation and tags changed;
- an import is all-or-nothing: one bad row and nothing is written;
- every write to a course's bank or to its quizzes' settings locks the course row first, and is
  refused if it would leave a published quiz of the course unable to draw its questions;
- a course has at most one final exam.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils.translation import gettext as _

from courses.models import Choice, Course, Lesson, Question, QuestionTag, Quiz
from courses.pure.question_rules import ChoiceRow, choices_problem, question_import_key, tag_names_clean, text_clean
from courses.pure.question_sheet import QuestionRow, SheetProblem, sheet_read
from courses.services.catalogue import course_locked
from courses.services.structure import lesson_publish_problem


@dataclass
class ImportReport:
    """What an import did: questions created and skipped (already in the bank), or why nothing was."""

    created: int = 0
    skipped: int = 0
    problems: list[SheetProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Questions ------------------------------------------------------------------------------------


@transaction.atomic
def question_create(
    *,
    course: Course,
    kind: str,
    text: str,
    choices: Sequence[ChoiceRow],
    explanation: str = "",
    tag_names: Iterable[str] = (),
) -> Question:
    """Add a question with its choices and tags to the course's bank."""
    course_locked(course)
    question = Question(course=course, is_active=True)
    question_content_set(question, kind=kind, text=text, choices=choices, explanation=explanation)
    question.save()
    Choice.objects.bulk_create(choices_make(question, choices_clean(choices)))
    question.tags.set(tags_get_or_create(course=course, names=tag_names))
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    kind: str,
    text: str,
    choices: Sequence[ChoiceRow],
    explanation: str = "",
    tag_names: Iterable[str] = (),
) -> Question:
    """Change a question; one already drawn in an attempt keeps its kind, choice count and correct answers."""
    course = course_locked(question.course)
    choices = choices_clean(choices)
    existing = list(question.choices.order_by("position", "id"))
    if question_is_drawn(question) and (
        kind != question.kind or [c.is_correct for c in choices] != [c.is_correct for c in existing]
    ):
        raise ValidationError(
            _(
                "Learners have already been given this question in a quiz, so its kind, its number of answers "
                "and which are correct can no longer change. You can fix its wording, or deactivate it and add "
                "a new question."
            )
        )
    question_content_set(question, kind=kind, text=text, choices=choices, explanation=explanation)
    question.save(update_fields=["kind", "text", "explanation", "import_key"])
    for position, (row, choice) in enumerate(zip(choices, existing, strict=False)):
        choice.text, choice.is_correct, choice.position = row.text, row.is_correct, position
        choice.full_clean(exclude=["question"])
    Choice.objects.bulk_update(existing[: len(choices)], ["text", "is_correct", "position"])
    Choice.objects.filter(id__in=[choice.id for choice in existing[len(choices) :]]).delete()
    extra = choices_make(question, choices[len(existing) :], start=len(existing))
    Choice.objects.bulk_create(extra)
    question.tags.set(tags_get_or_create(course=course, names=tag_names))
    published_quizzes_check(course)
    return question


@transaction.atomic
def question_deactivate(*, question: Question) -> Question:
    """Take the question out of future draws; attempts that drew it keep it."""
    course = course_locked(question.course)
    question.is_active = False
    question.save(update_fields=["is_active"])
    published_quizzes_check(course)
    return question


@transaction.atomic
def question_activate(*, question: Question) -> Question:
    """Put a deactivated question back into future draws."""
    course_locked(question.course)
    question.is_active = True
    question.save(update_fields=["is_active"])
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question no attempt drew; one that was drawn can only be deactivated."""
    course = course_locked(question.course)
    if question_is_drawn(question):
        raise ValidationError(
            _(
                "Learners have already been given this question in a quiz, so it cannot be deleted. "
                "Deactivate it instead: it will not be drawn again."
            )
        )
    question.delete()
    published_quizzes_check(course)


def question_is_drawn(question: Question) -> bool:
    """Return whether any attempt at a quiz of the course drew this question.

    The attempts are reached through the quizzes' `attempts` relation: courses never imports
    learners (docs/decisions/0001).
    """
    quizzes = Quiz.objects.filter(lesson__course_id=question.course_id)
    if connections[quizzes.db].features.supports_json_field_contains:
        return quizzes.filter(attempts__question_ids__contains=[question.id]).exists()
    # SQLite (the embedded demo) has no JSON containment: read the course's draws, a demo's handful.
    draws = quizzes.filter(attempts__isnull=False).values_list("attempts__question_ids", flat=True)
    return any(question.id in question_ids for question_ids in draws.iterator())


def question_content_set(question: Question, *, kind: str, text: str, choices: Sequence[ChoiceRow], explanation: str):
    """Check the question's content and set it with its import key; raise a translated ValidationError."""
    text = text_clean(text)
    choices = choices_clean(choices)
    errors = {}
    if not text:
        errors["text"] = _("Write the question.")
    if kind not in Question.Kind.values:
        errors["kind"] = _("Choose the kind of question.")
    else:
        problem = choices_problem(kind, choices)
        if problem:
            errors["choices"] = problem
    if errors:
        raise ValidationError(errors)
    question.kind = kind
    question.text = text
    question.explanation = text_clean(explanation)
    question.import_key = question_import_key(kind=kind, text=text, choices=choices)
    duplicates = Question.objects.filter(course_id=question.course_id, import_key=question.import_key)
    if duplicates.exclude(id=question.id).exists():
        raise ValidationError(_("The question bank of this course already has this question with the same answers."))
    question.full_clean(exclude=["course", "import_key", "tags"], validate_constraints=False)


def choices_clean(choices: Sequence[ChoiceRow]) -> list[ChoiceRow]:
    return [ChoiceRow(text_clean(choice.text), bool(choice.is_correct)) for choice in choices]


def choices_make(question: Question, choices: Sequence[ChoiceRow], *, start: int = 0) -> list[Choice]:
    made = []
    for position, row in enumerate(choices, start=start):
        choice = Choice(question=question, text=row.text, is_correct=row.is_correct, position=position)
        choice.full_clean(exclude=["question"])
        made.append(choice)
    return made


def tags_get_or_create(*, course: Course, names: Iterable[str]) -> list[QuestionTag]:
    """Return the course's tags with these names (letter case ignored), creating the missing ones."""
    names = tag_names_clean(names)
    known = {tag.name.casefold(): tag for tag in course.question_tags.all()}
    missing = [QuestionTag(course=course, name=name) for name in names if name.casefold() not in known]
    for tag in missing:
        tag.full_clean(exclude=["course"], validate_constraints=False)
    for tag in QuestionTag.objects.bulk_create(missing):
        known[tag.name.casefold()] = tag
    return [known[name.casefold()] for name in names]


# --- Import ---------------------------------------------------------------------------------------


@transaction.atomic
def questions_import(*, course: Course, uploaded_file: IO[bytes]) -> ImportReport:
    """Add the questions of an XLSX or CSV file; any bad row and nothing is written, every bad row reported."""
    sheet = sheet_read(uploaded_file)
    if sheet.problems:
        return ImportReport(problems=sheet.problems)
    course_locked(course)
    keys = {row.import_key for row in sheet.rows}
    seen = set(course.questions.filter(import_key__in=keys).values_list("import_key", flat=True))
    new_rows: list[QuestionRow] = []
    for row in sheet.rows:
        if row.import_key not in seen:
            seen.add(row.import_key)
            new_rows.append(row)
    tags = {
        tag.name.casefold(): tag
        for tag in tags_get_or_create(course=course, names=[name for row in new_rows for name in row.tags])
    }
    questions = [
        Question(
            course=course,
            kind=row.kind,
            text=row.text,
            explanation=row.explanation,
            import_key=row.import_key,
            is_active=True,
        )
        for row in new_rows
    ]
    for question in questions:
        question.full_clean(exclude=["course", "tags"], validate_constraints=False)
    Question.objects.bulk_create(questions)
    Choice.objects.bulk_create(
        [
            choice
            for question, row in zip(questions, new_rows, strict=True)
            for choice in choices_make(question, row.choices)
        ]
    )
    Question.tags.through.objects.bulk_create(
        [
            Question.tags.through(question_id=question.id, questiontag_id=tags[name.casefold()].id)
            for question, row in zip(questions, new_rows, strict=True)
            for name in row.tags
        ]
    )
    return ImportReport(created=len(new_rows), skipped=len(sheet.rows) - len(new_rows))


# --- Quiz settings --------------------------------------------------------------------------------


@transaction.atomic
def quiz_settings_save(
    *,
    lesson: Lesson,
    questions_drawn: int,
    pass_mark_percent: int,
    attempts_limit: int,
    time_limit_minutes: int | None = None,
    draw_tag: QuestionTag | None = None,
    shuffle_choices: bool = True,
    review_allowed: bool = True,
    is_final_exam: bool = False,
) -> Quiz:
    """Create or change the settings of a quiz lesson; a published quiz must still be able to draw."""
    if lesson.kind != Lesson.Kind.QUIZ:
        raise ValidationError(_("Only a quiz lesson has quiz settings."))
    course = course_locked(lesson.course)
    errors = {}
    if not 1 <= pass_mark_percent <= 100:
        errors["pass_mark_percent"] = _("The pass mark is a percentage from 1 to 100.")
    if questions_drawn < 1:
        errors["questions_drawn"] = _("A quiz draws at least one question.")
    if attempts_limit < 0:
        errors["attempts_limit"] = _("Write how many attempts are allowed, or 0 for no limit.")
    if time_limit_minutes is not None and time_limit_minutes < 1:
        errors["time_limit_minutes"] = _("The time limit is at least one minute. Leave it empty for no limit.")
    if draw_tag is not None and draw_tag.course_id != lesson.course_id:
        errors["draw_tag"] = _("Choose a tag of this course's question bank.")
    other_final = (
        Quiz.objects.filter(lesson__course=course, is_final_exam=True).exclude(lesson=lesson).select_related("lesson")
    )
    if is_final_exam and (other := other_final.first()):
        errors["is_final_exam"] = _(
            "“%(lesson)s” is already the final exam of this course, and a course has only one."
        ) % {"lesson": other.lesson.title}
    if errors:
        raise ValidationError(errors)
    quiz = Quiz.objects.filter(lesson=lesson).first() or Quiz(lesson=lesson)
    quiz.questions_drawn = questions_drawn
    quiz.pass_mark_percent = pass_mark_percent
    quiz.attempts_limit = attempts_limit
    quiz.time_limit_minutes = time_limit_minutes
    quiz.draw_tag = draw_tag
    quiz.shuffle_choices = shuffle_choices
    quiz.review_allowed = review_allowed
    quiz.is_final_exam = is_final_exam
    quiz.full_clean(exclude=["lesson", "draw_tag"])
    quiz.save()
    if lesson.is_published and (problem := lesson_publish_problem(lesson)):
        raise ValidationError({"questions_drawn": problem})
    return quiz


def published_quizzes_check(course: Course) -> None:
    """Refuse a change that leaves a published quiz of the course unable to draw its questions."""
    for lesson in Lesson.objects.filter(course=course, kind=Lesson.Kind.QUIZ, is_published=True):
        problem = lesson_publish_problem(lesson)
        if problem:
            raise ValidationError(
                _("This change would leave the published quiz “%(lesson)s” without enough questions. %(problem)s")
                % {"lesson": lesson.title, "problem": problem}
            )
