"""Writes of course completion: the rule, the one completion row, its event and the certificate task.

A course is complete for a learner when every required published lesson has a completed progress
row and every published final-exam quiz of the course has a passed attempt (a passed quiz also
completes its own lesson). A course with nothing required and no final quiz is never complete:
there would be nothing to certify. The completion is recorded once per enrolment (a one-to-one
row): of two concurrent checks, the second finds the first's row and writes nothing.
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from courses.models import Quiz
from courses.selectors.progress import course_progress_annotations
from learners.models import CourseCompletion, Enrolment, LearningEvent, QuizAttempt
from learners.services.events import learning_event_record
from onetouch.jobs import task_queue_on_commit


# Nested in the completing write's transaction, it needs no savepoint of its own: a failure rolls the
# whole completion back, and the concurrent create below has its own.
@transaction.atomic(savepoint=False)
def course_completion_check(*, enrolment: Enrolment, state: dict | None = None) -> CourseCompletion | None:
    """Record the course completed if its rule is met now; return the completion, or None if not complete.

    `state`: the enrolment's completion state read just now, by a caller that read it with the enrolment.
    """
    state = state or course_completion_state(enrolment=enrolment)
    if state["completion_id"] is not None:
        return CourseCompletion.objects.get(id=state["completion_id"])
    if not enrolment.is_active or not course_rule_is_met_by(state):
        return None
    try:
        with transaction.atomic():
            completion = CourseCompletion.objects.create(
                enrolment_id=enrolment.id,
                learner_id=enrolment.learner_id,
                course_id=enrolment.course_id,
                course_run_id=enrolment.course_run_id,
                completed_at=timezone.now(),
            )
    except IntegrityError:  # a concurrent check recorded it first
        return CourseCompletion.objects.get(enrolment_id=enrolment.id)
    learning_event_record(kind=LearningEvent.Kind.COURSE_COMPLETED, enrolment=enrolment)
    task_queue_on_commit("learners.tasks.certificate_issue", completion.id)
    return completion


STATE_FIELDS = ("completion_id", "required_lessons", "done_lessons", "finals", "finals_not_passed")
# What a completion and its events copy from the enrolment.
ENROLMENT_FIELDS = ("id", "learner_id", "course_id", "course_run_id", "is_active")


def course_completion_state(*, enrolment: Enrolment) -> dict:
    """Return, in one query, the enrolment's completion id (if any), its counted lessons required and
    done, and its course's published final quizzes: how many, and how many not passed yet."""
    return _states(enrolment.id).values(*STATE_FIELDS).get()


def enrolment_completion_state(*, enrolment_id: int) -> tuple[Enrolment, dict]:
    """Return the enrolment (the fields a completion copies) and its completion state, in one query.

    For a caller that holds only the enrolment's id (a completing heartbeat): it saves reading the row apart.
    """
    row = _states(enrolment_id).values(*ENROLMENT_FIELDS, *STATE_FIELDS).get()
    enrolment = Enrolment(**{field: row[field] for field in ENROLMENT_FIELDS})
    enrolment._state.adding = False  # a row read from the database, not one to insert
    return enrolment, {field: row[field] for field in STATE_FIELDS}


def _states(enrolment_id: int):
    course, learner = OuterRef("course_id"), OuterRef("learner_id")
    finals = Quiz.objects.filter(lesson__course_id=course, lesson__is_published=True, is_final_exam=True)
    passed = QuizAttempt.objects.filter(quiz=OuterRef("pk"), learner_id=OuterRef(learner), passed=True)
    return Enrolment.objects.filter(id=enrolment_id).annotate(
        **course_progress_annotations(course=course, learner=learner),
        completion_id=Subquery(CourseCompletion.objects.filter(enrolment_id=OuterRef("id")).values("id")[:1]),
        finals=Exists(finals),
        finals_not_passed=Exists(finals.exclude(Exists(passed))),
    )


def course_rule_is_met_by(state: dict) -> bool:
    """Return whether every required lesson is done and every final quiz passed (something is required)."""
    if not state["required_lessons"] and not state["finals"]:
        return False
    return state["done_lessons"] == state["required_lessons"] and not state["finals_not_passed"]
