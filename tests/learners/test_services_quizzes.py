"""Taking a quiz through its services: starting and resuming, saving answers, the limits, submitting once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from courses.models import Choice, Question, QuestionTag, Quiz
from learners.models import AttemptAnswer, LearningEvent, LessonProgress, QuizAttempt
from learners.services.enrolments import enrolment_create
from learners.services.quizzes import (
    answer_save,
    attempt_finish,
    attempt_start,
    attempt_submit,
    attempts_expired_grade,
)
from tests.factories import (
    answer_all,
    answers_state,
    correct_ids,
    correct_values,
    course_make,
    question_make,
    quiz_make,
    run_at_once,
    wrong_values,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("messages_in_english")]


def quiz_events(learner) -> list[str]:
    kinds = (LearningEvent.Kind.QUIZ_PASSED, LearningEvent.Kind.QUIZ_FAILED)
    return list(LearningEvent.objects.filter(learner=learner, kind__in=kinds).values_list("kind", flat=True))


@pytest.fixture
def course(learner_hanoi):
    course = course_make(title="Kỹ năng số cơ bản")
    enrolment_create(learner=learner_hanoi, course=course)
    return course


@pytest.fixture
def quiz(course):
    return quiz_make(course=course)


# --- Starting and resuming ------------------------------------------------------------------------


def test_start_draws_ten_questions_with_choice_orders_and_a_server_deadline(quiz, learner_hanoi):
    """The first attempt draws 10 of the 12 questions, orders each one's choices and ends in 15 minutes."""
    before = timezone.now()
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)

    bank = set(Question.objects.filter(course=quiz.lesson.course).values_list("id", flat=True))
    assert attempt.number == 1
    assert len(attempt.question_ids) == 10 and set(attempt.question_ids) <= bank
    assert set(attempt.choice_orders) == {str(question_id) for question_id in attempt.question_ids}
    for question_id in attempt.question_ids:
        assert sorted(attempt.choice_orders[str(question_id)]) == sorted(
            Choice.objects.filter(question_id=question_id).values_list("id", flat=True)
        )
    assert before + timedelta(minutes=15) <= attempt.deadline_at <= timezone.now() + timedelta(minutes=15)


def test_starting_again_resumes_the_same_attempt_and_draw(quiz, learner_hanoi):
    """A second Start (a reload, another device) returns the open attempt with the same draw."""
    first = attempt_start(learner=learner_hanoi, quiz=quiz)
    again = attempt_start(learner=learner_hanoi, quiz=quiz)
    assert again.id == first.id
    assert (again.seed, again.question_ids, again.choice_orders) == (
        first.seed,
        first.question_ids,
        first.choice_orders,
    )
    assert QuizAttempt.objects.count() == 1


def test_each_attempt_has_its_own_seed_and_draw(course, learner_hanoi):
    """Over a bank of 30, a second attempt gets another seed and another draw."""
    quiz = quiz_make(course=course, questions=30, attempts_limit=0)
    first = attempt_start(learner=learner_hanoi, quiz=quiz)
    attempt_submit(attempt=first)
    second = attempt_start(learner=learner_hanoi, quiz=quiz)
    assert second.number == 2
    assert second.seed != first.seed
    assert second.question_ids != first.question_ids


def test_a_third_attempt_is_refused_when_two_are_allowed(quiz, learner_hanoi):
    """After two submitted attempts a third is refused with a message, and nothing is created."""
    for _ in range(2):
        attempt_submit(attempt=attempt_start(learner=learner_hanoi, quiz=quiz))
    events = LearningEvent.objects.count()

    with pytest.raises(ValidationError) as refusal:
        attempt_start(learner=learner_hanoi, quiz=quiz)

    assert "You have used all 2 attempts allowed at this quiz." in refusal.value.messages
    assert QuizAttempt.objects.filter(learner=learner_hanoi).count() == 2
    assert LearningEvent.objects.count() == events


def test_only_tagged_active_questions_are_drawn_when_the_quiz_names_a_tag(course, learner_hanoi):
    """A quiz drawing by tag takes only the tagged questions, and never an inactive one."""
    quiz = quiz_make(course=course, questions=12)
    tag = QuestionTag.objects.create(course=course, name="Dịch vụ công")
    tagged = list(Question.objects.filter(course=course).order_by("id")[:6])
    tag.questions.add(*tagged)
    Question.objects.filter(id=tagged[0].id).update(is_active=False)
    quiz.draw_tag = tag
    quiz.save()

    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)

    assert sorted(attempt.question_ids) == sorted(question.id for question in tagged[1:])


@pytest.mark.parametrize("person", ["learner_hue", "admin_hanoi", "ministry_staff"])
def test_people_not_enrolled_start_nothing(quiz, request, person):
    """A learner not enrolled and staff previewing the quiz start no attempt."""
    with pytest.raises(ValidationError):
        attempt_start(learner=request.getfixturevalue(person), quiz=quiz)
    assert not QuizAttempt.objects.exists()


def test_an_unpublished_quiz_or_a_quiz_without_questions_starts_nothing(course, learner_hanoi):
    """A draft quiz lesson, or one whose bank was emptied, is refused with a message."""
    draft = quiz_make(course=course, is_published=False, questions=3)
    empty = quiz_make(course=course_make())
    enrolment_create(learner=learner_hanoi, course=empty.lesson.course)
    # The studio refuses to empty a published quiz's bank; the start is refused all the same if it happens.
    Question.objects.filter(course=empty.lesson.course).update(is_active=False)

    with pytest.raises(ValidationError):
        attempt_start(learner=learner_hanoi, quiz=draft)
    with pytest.raises(ValidationError) as refusal:
        attempt_start(learner=learner_hanoi, quiz=empty)

    assert "This quiz has no questions yet. Please come back later." in refusal.value.messages
    assert not QuizAttempt.objects.exists()


# --- Saving answers -------------------------------------------------------------------------------


def test_saving_an_answer_again_replaces_it(quiz, learner_hanoi):
    """The last answer saved for a question is the one kept, in one row."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = attempt.question_ids[0]
    answer_save(attempt=attempt, question_id=question_id, values=wrong_values(attempt, question_id))
    answer_save(attempt=attempt, question_id=question_id, values=correct_values(attempt, question_id))
    assert answers_state(attempt)[0][:2] == (question_id, correct_ids(question_id))
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_an_answer_for_a_question_not_in_the_attempt_is_refused(quiz, learner_hanoi):
    """A bank question that was not drawn, or another course's question, is refused and nothing changes."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_save(
        attempt=attempt, question_id=attempt.question_ids[0], values=wrong_values(attempt, attempt.question_ids[0])
    )
    before = answers_state(attempt)
    not_drawn = Question.objects.filter(course=quiz.lesson.course).exclude(id__in=attempt.question_ids).first()
    elsewhere = question_make(course=course_make(), number=1)

    for question in (not_drawn, elsewhere):
        with pytest.raises(ValidationError) as refusal:
            answer_save(attempt=attempt, question_id=question.id, values=correct_values(attempt, question.id))
        assert "This question is not part of your attempt." in refusal.value.messages
    assert answers_state(attempt) == before


def test_foreign_choices_and_two_picks_for_a_single_answer_are_refused(quiz, learner_hanoi):
    """Another question's choice, two choices for a single-choice question or a malformed list change nothing."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    first, second = attempt.question_ids[:2]
    for values in (
        correct_values(attempt, second),
        correct_values(attempt, first) + wrong_values(attempt, first),
        [],
        "1",
        [True],
    ):
        with pytest.raises(ValidationError):
            answer_save(attempt=attempt, question_id=first, values=values)
    assert answers_state(attempt) == []


def test_an_answer_after_the_time_limit_is_refused(quiz, learner_hanoi):
    """Once the deadline (and its two seconds of network grace) has passed, an answer is refused."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = attempt.question_ids[0]
    answer_save(attempt=attempt, question_id=question_id, values=wrong_values(attempt, question_id))
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=timezone.now() - timedelta(seconds=3))
    before = answers_state(attempt)

    with pytest.raises(ValidationError) as refusal:
        answer_save(attempt=attempt, question_id=question_id, values=correct_values(attempt, question_id))

    assert "The time limit has passed" in refusal.value.messages[0]
    assert answers_state(attempt) == before


def test_an_answer_within_the_network_grace_is_saved(quiz, learner_hanoi):
    """An answer arriving one second after the deadline (sent before it on a slow line) is saved."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=timezone.now() - timedelta(seconds=1))
    question_id = attempt.question_ids[0]
    answer_save(attempt=attempt, question_id=question_id, values=correct_values(attempt, question_id))
    assert answers_state(attempt)[0][1] == correct_ids(question_id)


def test_an_answer_to_a_submitted_attempt_is_refused(quiz, learner_hanoi):
    """After submission the answers no longer change."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    question_id = attempt.question_ids[0]
    attempt_submit(attempt=attempt)
    with pytest.raises(ValidationError):
        answer_save(attempt=attempt, question_id=question_id, values=correct_values(attempt, question_id))
    assert answers_state(attempt) == []


# --- Submitting and grading -----------------------------------------------------------------------


def test_passing_grades_records_the_event_and_completes_the_quiz_lesson(quiz, learner_hanoi):
    """Eight of ten right: 80 %, passed, a QUIZ_PASSED event naming the lesson, the lesson completed once."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=8)

    attempt = attempt_submit(attempt=attempt)

    assert attempt.submitted_at is not None
    assert (attempt.score_percent, attempt.passed) == (Decimal("80.00"), True)
    event = LearningEvent.objects.get(kind=LearningEvent.Kind.QUIZ_PASSED)
    assert (event.lesson_id, event.course_id, event.province_id) == (
        quiz.lesson_id,
        quiz.lesson.course_id,
        learner_hanoi.profile.province_id,
    )
    assert LessonProgress.objects.get(learner=learner_hanoi, lesson=quiz.lesson).completed_at is not None
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED, lesson=quiz.lesson).count() == 1


def test_failing_records_the_event_and_leaves_the_lesson_incomplete(quiz, learner_hanoi):
    """Six of ten right: 60 %, not passed, a QUIZ_FAILED event and no lesson completion."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=6)

    attempt = attempt_submit(attempt=attempt)

    assert (attempt.score_percent, attempt.passed) == (Decimal("60.00"), False)
    assert quiz_events(learner_hanoi) == [LearningEvent.Kind.QUIZ_FAILED]
    assert not LessonProgress.objects.filter(lesson=quiz.lesson, completed_at__isnull=False).exists()


def test_submitting_twice_counts_once(quiz, learner_hanoi):
    """A second submission returns the first result and writes nothing."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=10)
    first = attempt_submit(attempt=attempt)
    second = attempt_submit(attempt=attempt)
    again = attempt_finish(
        attempt=attempt, answers={attempt.question_ids[0]: wrong_values(attempt, attempt.question_ids[0])}
    )
    assert first.submitted_at == second.submitted_at == again.submitted_at
    assert again.score_percent == Decimal("100.00")
    assert quiz_events(learner_hanoi) == [LearningEvent.Kind.QUIZ_PASSED]


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submission_counts_once(commune_hanoi, learner_hanoi):
    """Two submissions released together by a barrier grade the attempt once, with one event."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    quiz = quiz_make(course=course)
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=9)
    results, errors = run_at_once(lambda: attempt_submit(attempt=QuizAttempt.objects.get(id=attempt.id)))

    assert errors == []
    assert len(results) == 2
    assert results[0].submitted_at == results[1].submitted_at
    assert {result.score_percent for result in results} == {Decimal("90.00")}
    assert quiz_events(learner_hanoi) == [LearningEvent.Kind.QUIZ_PASSED]
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).count() == 1


def test_a_late_submission_is_graded_on_the_answers_saved_in_time(quiz, learner_hanoi):
    """After the limit, only answers saved before the deadline count, and the attempt is submitted at the deadline."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=10)
    deadline = timezone.now() - timedelta(minutes=1)
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=deadline)
    in_time, late = attempt.question_ids[:6], attempt.question_ids[6:]
    AttemptAnswer.objects.filter(attempt=attempt, question_id__in=in_time).update(
        saved_at=deadline - timedelta(minutes=2)
    )
    AttemptAnswer.objects.filter(attempt=attempt, question_id__in=late).update(
        saved_at=deadline + timedelta(seconds=30)
    )

    attempt = attempt_finish(attempt=attempt, answers={late[0]: correct_values(attempt, late[0])})

    assert (attempt.score_percent, attempt.passed) == (Decimal("60.00"), False)
    assert attempt.submitted_at == deadline
    assert AttemptAnswer.objects.get(attempt=attempt, question_id=late[0]).saved_at == deadline + timedelta(seconds=30)
    assert quiz_events(learner_hanoi) == [LearningEvent.Kind.QUIZ_FAILED]


def test_an_expired_open_attempt_is_graded_when_started_again(quiz, learner_hanoi):
    """Coming back after the limit finds the attempt graded at its deadline, not a fresh attempt."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(attempt, right=7)
    deadline = timezone.now() - timedelta(minutes=5)
    QuizAttempt.objects.filter(id=attempt.id).update(deadline_at=deadline)
    AttemptAnswer.objects.filter(attempt=attempt).update(saved_at=deadline - timedelta(minutes=1))

    resumed = attempt_start(learner=learner_hanoi, quiz=quiz)

    assert resumed.id == attempt.id
    assert (resumed.submitted_at, resumed.score_percent, resumed.passed) == (deadline, Decimal("70.00"), True)
    assert QuizAttempt.objects.count() == 1


def test_the_sweep_grades_each_expired_open_attempt_once(quiz, learner_hanoi, learner_hue):
    """An attempt left open past its deadline is graded at its deadline by the sweep, once; others wait."""
    enrolment_create(learner=learner_hue, course=quiz.lesson.course)
    left = attempt_start(learner=learner_hanoi, quiz=quiz)
    answer_all(left, right=7)
    deadline = timezone.now() - timedelta(minutes=5)
    QuizAttempt.objects.filter(id=left.id).update(deadline_at=deadline)
    AttemptAnswer.objects.filter(attempt=left).update(saved_at=deadline - timedelta(minutes=1))
    running = attempt_start(learner=learner_hue, quiz=quiz)

    assert attempts_expired_grade() == 1
    assert attempts_expired_grade() == 0

    left.refresh_from_db()
    running.refresh_from_db()
    assert (left.submitted_at, left.score_percent, left.passed) == (deadline, Decimal("70.00"), True)
    assert running.submitted_at is None
    assert quiz_events(learner_hanoi) == [LearningEvent.Kind.QUIZ_PASSED]
    assert quiz_events(learner_hue) == []


def test_form_submission_saves_the_answers_it_carries_then_grades(quiz, learner_hanoi):
    """Submitting without script saves every answer sent with the form, then grades them."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    answers = {question_id: correct_values(attempt, question_id) for question_id in attempt.question_ids}
    attempt = attempt_finish(attempt=attempt, answers=answers)
    assert (attempt.score_percent, attempt.passed) == (Decimal("100.00"), True)
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 10


def test_form_submission_with_a_foreign_question_changes_nothing(quiz, learner_hanoi):
    """A submitted form naming a question outside the draw is refused whole: nothing saved, not submitted."""
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)
    foreign = Question.objects.filter(course=quiz.lesson.course).exclude(id__in=attempt.question_ids).first()
    answers = {
        attempt.question_ids[0]: correct_values(attempt, attempt.question_ids[0]),
        foreign.id: correct_values(attempt, foreign.id),
    }

    with pytest.raises(ValidationError):
        attempt_finish(attempt=attempt, answers=answers)

    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert answers_state(attempt) == []
    assert quiz_events(learner_hanoi) == []


def test_multiple_choice_and_true_false_are_graded_on_exact_sets(course, learner_hanoi):
    """A multiple-choice question needs every correct choice and no other; true/false needs the one right value."""
    multiple = question_make(course=course, number=1, kind=Question.Kind.MULTIPLE)
    true_false = question_make(course=course, number=2, kind=Question.Kind.TRUE_FALSE)
    quiz = quiz_make(course=course, questions=0, questions_drawn=2, shuffle_choices=False)
    attempt = attempt_start(learner=learner_hanoi, quiz=quiz)

    answer_save(attempt=attempt, question_id=multiple.id, values=correct_values(attempt, multiple.id)[:1])
    answer_save(attempt=attempt, question_id=true_false.id, values=correct_values(attempt, true_false.id))
    attempt = attempt_submit(attempt=attempt)

    assert attempt.score_percent == Decimal("50.00")
    assert attempt.choice_orders[str(multiple.id)] == list(
        Choice.objects.filter(question=multiple).order_by("position").values_list("id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_open_one_attempt(commune_hanoi, learner_hanoi):
    """Two Start clicks released together by a barrier open one attempt, which both get."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    quiz = quiz_make(course=course)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def start() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(attempt_start(learner=learner_hanoi, quiz=Quiz.objects.get(id=quiz.id)))
        except Exception as error:  # noqa: BLE001 (reported below: a thread cannot fail the test itself)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0].id == results[1].id
    assert QuizAttempt.objects.count() == 1
