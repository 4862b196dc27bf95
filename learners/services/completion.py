"""Writes of course completion: the rule, the one completion row, its event and the certificate task.

A course is complete for a learner when every required published lesson has a completed progress
row and every published final-exam quiz of the course has a passed attempt (a passed quiz also
completes its own lesson). A course with nothing required and no final quiz is never complete:
there would be nothing to certify. The completion is recorded once per enrolment (a one-to-one
row): of two concurrent checks, the second finds the first's row and writes nothing.
"""

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from courses.models import Quiz
from courses.selectors.progress import course_progress_get
from learners.models import CourseCompletion, Enrolment, LearningEvent, QuizAttempt
from learners.services.events import learning_event_record
from onetouch.jobs import task_queue_on_commit


@transaction.atomic
def course_completion_check(*, enrolment: Enrolment) -> CourseCompletion | None:
    """Record the course completed if its rule is met now; return the completion, or None if not complete."""
    existing = CourseCompletion.objects.filter(enrolment_id=enrolment.id).first()
    if existing is not None:
        return existing
    if not enrolment.is_active or not course_rule_is_met(enrolment=enrolment):
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


def course_rule_is_met(*, enrolment: Enrolment) -> bool:
    """Return whether every required lesson is done and every final quiz passed (something is required)."""
    progress = course_progress_get(course_id=enrolment.course_id, learner_id=enrolment.learner_id)
    passed = QuizAttempt.objects.filter(quiz=OuterRef("pk"), learner_id=enrolment.learner_id, passed=True)
    finals = Quiz.objects.filter(
        lesson__course_id=enrolment.course_id, lesson__is_published=True, is_final_exam=True
    ).annotate(is_passed=Exists(passed))
    finals_passed = list(finals.values_list("is_passed", flat=True))
    if not progress.required and not finals_passed:
        return False
    return progress.lessons_all_done and all(finals_passed)
