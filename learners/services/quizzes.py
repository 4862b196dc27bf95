"""Writes of taking a quiz: starting or resuming an attempt, saving answers, submitting and grading.

Invariants callers may rely on:
- an attempt's draw (its questions and each question's choice order) is made once, from a seed of
  its own, and stored: a reload, another device or a later change of the bank shows the same draw;
- only an active enrolment of a published course reaches a published quiz lesson; staff previews
  start nothing;
- the attempts limit holds even for two concurrent starts: attempt numbers are unique per learner
  and quiz, so the second start finds the first's attempt and resumes it;
- the server is the judge of time: an answer that arrives after the deadline (plus
  `learners.pure.quizzes.ANSWER_GRACE` for the network) is refused, and grading counts only the answers
  saved by then; an expired attempt left open is graded, as submitted at its deadline, when its
  form is posted, a new one is asked for, or the periodic sweep (`attempts_expired_grade`) finds
  it; viewing a page grades nothing (no GET writes);
- the browser names choices only by their per-attempt values (`learners.pure.quizzes.choice_value`);
  answers are stored and graded as choice ids, and a value that is not one of the attempt's is refused;
- a submission is recorded once: the attempt row is locked (SELECT … FOR UPDATE), so a second
  submission, even a concurrent one, returns the first's result and writes nothing;
- every refusal is a translated ValidationError and changes nothing.
"""

import secrets
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.models import Choice, Lesson, Quiz
from courses.selectors.questions import quiz_candidate_questions
from learners.models import AttemptAnswer, Enrolment, LearningEvent, LessonProgress, QuizAttempt
from learners.pure.quizzes import (
    ANSWER_GRACE,
    AnswerRefused,
    answer_check,
    answer_decode,
    answer_parse,
    answers_close_at,
    attempt_grade,
    choices_arrange,
    questions_pick,
)
from learners.selectors.progress import lesson_is_open
from learners.services.events import learning_event_record
from learners.services.progress import lesson_complete
from onetouch.models import User

# A seed fits PostgreSQL's bigint.
SEED_BITS = 63


def quiz_enrolment_lock(*, learner: User, quiz: Quiz) -> Enrolment:
    """Lock and return the learner's active enrolment for the quiz, or refuse when the quiz is not
    theirs to take. Two starts at once take turns on the enrolment row, so the second finds the
    first's attempt."""
    lesson = quiz.lesson
    if lesson.kind != Lesson.Kind.QUIZ or not (lesson.is_published and lesson.course.is_published):
        raise ValidationError(_("This quiz is not open to learners."))
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(learner=learner, course_id=lesson.course_id, is_active=True)
        .first()
    )
    if enrolment is None:
        raise ValidationError(_("You are not enrolled in this course."))
    if not lesson_is_open(learner=learner, lesson=lesson):
        raise ValidationError(_("Complete the earlier required lessons of this course first."))
    return enrolment


@transaction.atomic
def attempt_start(*, learner: User, quiz: Quiz) -> QuizAttempt:
    """Resume the learner's open attempt, or start the next one with its own draw if attempts remain."""
    enrolment = quiz_enrolment_lock(learner=learner, quiz=quiz)
    # Read after the lock (a statement that waited on it would still see the snapshot it began with).
    mine = QuizAttempt.objects.filter(learner=learner, quiz=quiz).aggregate(
        count=Count("id"), open_id=Max("id", filter=Q(submitted_at__isnull=True))
    )
    if mine["open_id"] is not None:
        return attempt_expire_if_due(attempt=QuizAttempt.objects.get(id=mine["open_id"]))
    count = mine["count"]
    if quiz.attempts_limit and count >= quiz.attempts_limit:
        raise ValidationError(
            ngettext(
                "You have used the %(limit)d attempt allowed at this quiz.",
                "You have used all %(limit)d attempts allowed at this quiz.",
                quiz.attempts_limit,
            )
            % {"limit": quiz.attempts_limit}
        )
    seed = secrets.randbits(SEED_BITS)
    candidates = quiz_candidate_questions(quiz=quiz)
    question_ids = questions_pick(
        seed=seed, candidate_ids=candidates.values_list("id", flat=True), count=quiz.questions_drawn
    )
    if not question_ids:
        raise ValidationError(_("This quiz has no questions yet. Please come back later."))
    choice_ids: dict[int, list[int]] = defaultdict(list)
    for question_id, choice_id in (
        Choice.objects.filter(question_id__in=question_ids).order_by("position", "id").values_list("question_id", "id")
    ):
        choice_ids[question_id].append(choice_id)
    now = timezone.now()
    attempt = QuizAttempt(
        learner=learner,
        quiz=quiz,
        enrolment=enrolment,
        number=count + 1,
        seed=seed,
        question_ids=question_ids,
        choice_orders=choices_arrange(
            seed=seed, question_ids=question_ids, choice_ids=choice_ids, shuffle=quiz.shuffle_choices
        ),
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
    )
    # The learner, quiz and enrolment were just read: only the attempt's own fields need checking.
    # Concurrent starts wait on the enrolment's lock; the unique (learner, quiz, number) constraint
    # stays the last guard.
    attempt.full_clean(exclude=["learner", "quiz", "enrolment"], validate_constraints=False)
    attempt.save(force_insert=True)
    return attempt


@transaction.atomic
def attempt_expire_if_due(*, attempt: QuizAttempt) -> QuizAttempt:
    """Grade an open attempt whose time is over (as submitted at its deadline); return it as it is now."""
    closes_at = answers_close_at(attempt.deadline_at)
    if attempt.submitted_at is None and closes_at is not None and timezone.now() > closes_at:
        return attempt_submit(attempt=attempt)
    return attempt


def attempts_expired_grade(*, limit: int = 500) -> int:
    """Grade the open attempts whose time is over, as submitted at their deadline; return how many.

    The periodic sweep for attempts their learner left: no page view grades one, so without it an
    abandoned attempt would wait for its learner's next start or form to count in the statistics.
    """
    expired = (
        QuizAttempt.objects.filter(
            submitted_at__isnull=True,
            deadline_at__lt=timezone.now() - ANSWER_GRACE,
            enrolment__is_active=True,
            quiz__lesson__is_published=True,
            quiz__lesson__course__is_published=True,
        )
        .order_by("deadline_at")
        .only("id", "submitted_at", "deadline_at")[:limit]
    )
    return sum(attempt_expire_if_due(attempt=attempt).submitted_at is not None for attempt in expired)


@transaction.atomic
def answer_save(*, attempt: QuizAttempt, question_id: int, values: object) -> AttemptAnswer:
    """Save the learner's choices, by their values in the page, for one question of an open attempt."""
    locked = attempt_locked(attempt)
    attempt_check_open(locked)
    return answers_write(attempt=locked, answers={question_id: values})[0]


@transaction.atomic
def attempt_finish(*, attempt: QuizAttempt, answers: Mapping[int, object]) -> QuizAttempt:
    """Save the answers sent with the submit button (choice values by question id), then submit.

    This is the form that works without script. After the deadline nothing more is saved: the
    attempt is graded on what was saved in time.
    """
    return attempt_finish_locked(attempt_locked(attempt), answers=answers)


@transaction.atomic
def attempt_finish_for_learner(
    *, learner: User, attempt_id: int, answers: Mapping[int, object]
) -> tuple[QuizAttempt, bool] | None:
    """Lock the learner's own attempt (None if it is not theirs to reach: the scope of
    learners.selectors.quizzes.attempt_get_for_learner), then finish it as attempt_finish does.

    Return the attempt and whether it had been submitted already. The submit form's one read of the
    attempt is this lock: no read before it."""
    locked = attempt_locked(QuizAttempt(id=attempt_id), learner=learner)
    if locked is None:
        return None
    was_submitted = locked.submitted_at is not None
    return attempt_finish_locked(locked, answers=answers), was_submitted


def attempt_finish_locked(locked: QuizAttempt, *, answers: Mapping[int, object]) -> QuizAttempt:
    if locked.submitted_at is not None:
        return locked
    # The choices of every drawn question, read once: they check the answers sent and grade them all.
    choices = attempt_choice_rows(question_ids=locked.question_ids)
    if not attempt_time_is_over(locked) and answers:
        answers_write(attempt=locked, answers=answers, choices=choices)
    return attempt_grade_locked(locked, choices=choices)


@transaction.atomic
def attempt_submit(*, attempt: QuizAttempt) -> QuizAttempt:
    """Grade the attempt once on the answers saved in time; a repeated submission returns the same result."""
    locked = attempt_locked(attempt)
    if locked.submitted_at is not None:
        return locked
    return attempt_grade_locked(locked)


def attempt_grade_locked(locked: QuizAttempt, *, choices: list[tuple] | None = None) -> QuizAttempt:
    """Grade an open attempt whose row this transaction has locked (attempt_locked), and record it.

    `choices`: its questions' choice rows (attempt_choice_rows) when the caller has read them."""
    now = timezone.now()
    quiz = locked.quiz
    answers = AttemptAnswer.objects.filter(attempt=locked, question_id__in=locked.question_ids)
    closes_at = answers_close_at(locked.deadline_at)
    if closes_at is not None:
        answers = answers.filter(saved_at__lte=closes_at)
    if choices is None:
        choices = attempt_choice_rows(question_ids=locked.question_ids)
    correct: dict[int, list[int]] = defaultdict(list)
    for question_id, _kind, choice_id, is_correct in choices:
        if is_correct:
            correct[question_id].append(choice_id)
    grade = attempt_grade(
        question_ids=locked.question_ids,
        picked=dict(answers.values_list("question_id", "choice_ids")),
        correct=correct,
        pass_mark_percent=quiz.pass_mark_percent,
    )
    locked.submitted_at = now if locked.deadline_at is None else min(now, locked.deadline_at)
    locked.score_percent = grade.score_percent
    locked.passed = grade.passed
    locked.save(update_fields=["submitted_at", "score_percent", "passed"])
    learning_event_record(
        kind=LearningEvent.Kind.QUIZ_PASSED if grade.passed else LearningEvent.Kind.QUIZ_FAILED,
        enrolment=locked.enrolment,
        lesson_id=quiz.lesson_id,
    )
    if grade.passed:
        # A passed quiz completes its own lesson, and the course if its rule is then met.
        progress, _created = LessonProgress.objects.get_or_create(
            learner_id=locked.learner_id, lesson_id=quiz.lesson_id, defaults={"enrolment": locked.enrolment}
        )
        lesson_complete(progress_id=progress.id, enrolment_id=locked.enrolment_id, lesson_id=quiz.lesson_id)
    return locked


def attempt_locked(attempt: QuizAttempt, *, learner: User | None = None) -> QuizAttempt | None:
    """Lock the attempt row for the rest of the transaction and return it as it is now.

    With `learner`: only their own attempt while they are enrolled and the quiz is published (None otherwise)."""
    attempts = QuizAttempt.objects.select_for_update(of=("self",)).select_related(
        "quiz", "quiz__lesson", "quiz__lesson__course", "enrolment", "enrolment__course"
    )
    if learner is None:
        return attempts.get(id=attempt.id)
    return attempts.filter(
        id=attempt.id,
        learner=learner,
        enrolment__is_active=True,
        quiz__lesson__is_published=True,
        quiz__lesson__course__is_published=True,
    ).first()


def attempt_time_is_over(attempt: QuizAttempt) -> bool:
    closes_at = answers_close_at(attempt.deadline_at)
    return closes_at is not None and timezone.now() > closes_at


def attempt_check_open(attempt: QuizAttempt) -> None:
    """Refuse a change to an attempt that was submitted or whose time is over."""
    if attempt.submitted_at is not None:
        raise ValidationError(_("This attempt has already been submitted; its answers can no longer change."))
    if attempt_time_is_over(attempt):
        raise ValidationError(
            _("The time limit has passed, so this answer was not saved. The answers saved in time will be graded.")
        )


def attempt_choice_rows(*, question_ids: list[int]) -> list[tuple[int, str, int, bool]]:
    """Return the questions' choices as (question id, question kind, choice id, is correct), in one query."""
    return list(
        Choice.objects.filter(question_id__in=question_ids).values_list(
            "question_id", "question__kind", "id", "is_correct"
        )
    )


def answers_write(
    *, attempt: QuizAttempt, answers: Mapping[int, object], choices: list[tuple] | None = None
) -> list[AttemptAnswer]:
    """Check every answer's choice values against the attempt's draw, then save them all as choice ids.

    `choices`: rows of attempt_choice_rows covering these questions, when the caller has read them."""
    question_ids = list(answers)
    if choices is None:
        choices = attempt_choice_rows(question_ids=question_ids)
    # A question without choices is never drawn: its kind is known from its choices.
    kinds: dict[int, str] = {}
    allowed: dict[int, set[int]] = defaultdict(set)
    for question_id, kind, choice_id, _is_correct in choices:
        if question_id in answers:
            kinds[question_id] = kind
            allowed[question_id].add(choice_id)
    if not set(question_ids) <= set(attempt.question_ids) & set(kinds):
        raise ValidationError(_("This question is not part of your attempt."))
    checked: dict[int, list[int]] = {}
    try:
        for question_id, value in answers.items():
            picked = answer_decode(seed=attempt.seed, values=answer_parse(value), choice_ids=allowed[question_id])
            answer_check(kind=kinds[question_id], picked=picked, allowed=allowed[question_id])
            checked[question_id] = picked
    except AnswerRefused as refusal:
        raise ValidationError(refusal.message) from None
    # One INSERT … ON CONFLICT for all of them: a changed answer replaces the saved one.
    return AttemptAnswer.objects.bulk_create(
        [
            AttemptAnswer(attempt=attempt, question_id=question_id, choice_ids=picked)
            for question_id, picked in checked.items()
        ],
        update_conflicts=True,
        unique_fields=["attempt", "question"],
        update_fields=["choice_ids", "saved_at"],
    )
