"""Reads of taking a quiz: the quiz page's rules and attempts, an attempt's questions, its review.

What an open attempt shows is built as plain rows from the question's text and the choices' text
alone: nothing that says which choice is correct, and no explanation, can reach its page or its
JSON. Its choices carry their per-attempt values, not their ids (learners.pure.quizzes.choice_value).
Corrections are read only for a submitted attempt of a quiz that allows review.
"""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from courses.models import Choice, Question, Quiz
from courses.selectors.questions import quiz_candidate_questions
from learners.models import AttemptAnswer, CourseCompletion, QuizAttempt
from learners.pure.quizzes import answers_close_at, choice_value
from onetouch.models import User


@dataclass(frozen=True)
class QuizSummary:
    """A learner's standing in one quiz, for its page."""

    quiz: Quiz
    question_count: int
    attempts: list[QuizAttempt]
    open_attempt: QuizAttempt | None

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        """Return how many more attempts may start (None: no limit)."""
        if not self.quiz.attempts_limit:
            return None
        return max(0, self.quiz.attempts_limit - self.attempts_used)

    @property
    def has_passed(self) -> bool:
        return any(attempt.passed for attempt in self.attempts)

    @property
    def can_start(self) -> bool:
        return self.open_attempt is not None or self.attempts_left is None or self.attempts_left > 0


@dataclass(frozen=True)
class TakingChoice:
    """A choice as an open attempt shows it: its text and its opaque value in this attempt, never its id."""

    value: str
    text: str
    picked: bool


@dataclass(frozen=True)
class TakingQuestion:
    """A question as an open attempt shows it: its text and its choices in the drawn order, nothing else."""

    id: int
    number: int
    kind: str
    text: str
    choices: list[TakingChoice] = field(default_factory=list)

    @property
    def is_multiple(self) -> bool:
        return self.kind == Question.Kind.MULTIPLE


@dataclass(frozen=True)
class ReviewChoice:
    id: int
    text: str
    picked: bool
    is_correct: bool


@dataclass(frozen=True)
class ReviewQuestion:
    id: int
    number: int
    kind: str
    text: str
    explanation: str
    is_correct: bool
    choices: list[ReviewChoice] = field(default_factory=list)


def quiz_summary_get(*, quiz: Quiz, learner: User | None) -> QuizSummary:
    """Return how many questions the quiz draws now and, for a learner, their attempts (newest first)."""
    candidates = quiz_candidate_questions(quiz=quiz)
    attempts = list(attempt_list_for_learner(learner=learner, quiz=quiz)) if learner is not None else []
    return QuizSummary(
        quiz=quiz,
        question_count=min(quiz.questions_drawn, candidates.aggregate(count=Count("id"))["count"]),
        attempts=attempts,
        open_attempt=next((attempt for attempt in attempts if attempt.submitted_at is None), None),
    )


def attempt_list_for_learner(*, learner: User, quiz: Quiz) -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(learner=learner, quiz=quiz).order_by("-number")


def attempt_open_get(*, learner: User, quiz: Quiz) -> QuizAttempt | None:
    """Return the learner's attempt at the quiz that is not submitted yet, if any."""
    return QuizAttempt.objects.filter(learner=learner, quiz=quiz, submitted_at__isnull=True).order_by("-number").first()


def attempt_get_for_learner(*, learner: User, attempt_id: int) -> QuizAttempt | None:
    """Return the learner's own attempt while they are enrolled and the quiz is published; None otherwise."""
    if not learner.is_authenticated:
        return None
    return (
        QuizAttempt.objects.filter(
            id=attempt_id,
            learner=learner,
            enrolment__is_active=True,
            quiz__lesson__is_published=True,
            quiz__lesson__course__is_published=True,
        )
        .select_related("quiz", "quiz__lesson", "quiz__lesson__module", "quiz__lesson__course")
        .first()
    )


def attempt_questions_for_taking(*, attempt: QuizAttempt) -> list[TakingQuestion]:
    """Return the attempt's questions and choices in the drawn order, with the learner's saved picks."""
    texts = {
        row["id"]: row for row in Question.objects.filter(id__in=attempt.question_ids).values("id", "kind", "text")
    }
    choices = choices_in_drawn_order(attempt=attempt, fields=("id", "question_id", "text"))
    picked = dict(AttemptAnswer.objects.filter(attempt=attempt).values_list("question_id", "choice_ids"))
    questions = []
    for number, question_id in enumerate((qid for qid in attempt.question_ids if qid in texts), start=1):
        row, mine = texts[question_id], set(picked.get(question_id, ()))
        questions.append(
            TakingQuestion(
                id=question_id,
                number=number,
                kind=row["kind"],
                text=row["text"],
                choices=[
                    TakingChoice(
                        value=choice_value(seed=attempt.seed, choice_id=choice["id"]),
                        text=choice["text"],
                        picked=choice["id"] in mine,
                    )
                    for choice in choices.get(question_id, [])
                ],
            )
        )
    return questions


def attempt_review(*, attempt: QuizAttempt) -> list[ReviewQuestion]:
    """Return the corrections of a submitted attempt whose quiz allows review (nothing otherwise).

    The picks shown are those that were graded: the answers saved in time.
    """
    if attempt.submitted_at is None or not attempt.quiz.review_allowed:
        return []
    questions = {
        row["id"]: row
        for row in Question.objects.filter(id__in=attempt.question_ids).values("id", "kind", "text", "explanation")
    }
    choices = choices_in_drawn_order(attempt=attempt, fields=("id", "question_id", "text", "is_correct"))
    answers = AttemptAnswer.objects.filter(attempt=attempt)
    closes_at = answers_close_at(attempt.deadline_at)
    if closes_at is not None:
        answers = answers.filter(saved_at__lte=closes_at)
    picked = dict(answers.values_list("question_id", "choice_ids"))
    review = []
    for number, question_id in enumerate((qid for qid in attempt.question_ids if qid in questions), start=1):
        row, mine = questions[question_id], set(picked.get(question_id, ()))
        rows = choices.get(question_id, [])
        correct = {choice["id"] for choice in rows if choice["is_correct"]}
        review.append(
            ReviewQuestion(
                id=question_id,
                number=number,
                kind=row["kind"],
                text=row["text"],
                explanation=row["explanation"],
                is_correct=bool(correct) and mine == correct,
                choices=[
                    ReviewChoice(
                        id=choice["id"],
                        text=choice["text"],
                        picked=choice["id"] in mine,
                        is_correct=choice["is_correct"],
                    )
                    for choice in rows
                ],
            )
        )
    return review


def choices_in_drawn_order(*, attempt: QuizAttempt, fields: tuple[str, ...]) -> dict[int, list[dict]]:
    """Return each question's choices as rows of `fields`, in the attempt's order (a choice added since: last)."""
    rows: dict[int, list[dict]] = {}
    for row in Choice.objects.filter(question_id__in=attempt.question_ids).order_by("position", "id").values(*fields):
        rows.setdefault(row["question_id"], []).append(row)
    for question_id, question_rows in rows.items():
        order = {choice_id: index for index, choice_id in enumerate(attempt.choice_orders.get(str(question_id), []))}
        question_rows.sort(key=lambda row: order.get(row["id"], len(order)))
    return rows


def quiz_questions_for_preview(*, quiz: Quiz) -> list[TakingQuestion]:
    """Return every question the quiz may draw, as an attempt shows them (texts only), in the bank's
    order: the studio's preview, where an attempt would show a random draw of them."""
    rows = list(quiz_candidate_questions(quiz=quiz).order_by("id").values("id", "kind", "text"))
    choices: dict[int, list[dict]] = {}
    for choice in (
        Choice.objects.filter(question_id__in=[row["id"] for row in rows])
        .order_by("position", "id")
        .values("id", "question_id", "text")
    ):
        choices.setdefault(choice["question_id"], []).append(choice)
    return [
        TakingQuestion(
            id=row["id"],
            number=number,
            kind=row["kind"],
            text=row["text"],
            choices=[
                TakingChoice(value="", text=choice["text"], picked=False) for choice in choices.get(row["id"], [])
            ],
        )
        for number, row in enumerate(rows, start=1)
    ]


def completion_get(*, enrolment_id: int) -> CourseCompletion | None:
    """Return the completion of an enrolment, if the course was completed."""
    return CourseCompletion.objects.filter(enrolment_id=enrolment_id).first()
