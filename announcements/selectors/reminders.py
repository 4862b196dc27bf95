"""Who is owed a reminder to finish: a learner inactive for a while whose course run ends soon.

The rule (docs/decisions/0023): an active enrolment in a course run that has started and ends
within the next ANNOUNCEMENTS_REMINDER_WINDOW_DAYS days (Vietnam's calendar, the end day
included), not completed, with no activity for ANNOUNCEMENTS_INACTIVE_DAYS days, and no reminder
for that run claimed yet. Activity is the enrolment itself, a lesson opened or watched (every
heartbeat updates `LessonProgress.updated_at`) and a quiz attempt started or submitted.

Cheap to read: runs ending in the window are few (CourseRun), their enrolments come through the
`course_run` foreign key's index, and each activity test is an `EXISTS` on one enrolment's own
rows through an index that begins with the enrolment (`progress_enrolment_done` on LessonProgress,
the foreign key's index on QuizAttempt): a lesson count's worth of rows at most, no new index.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from announcements.models import Delivery
from learners.models import CourseCompletion, Enrolment, LessonProgress, QuizAttempt


def reminder_window(*, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last end days of the runs whose learners are reminded on `now`'s day."""
    today = timezone.localdate(now)
    return today, today + dt.timedelta(days=settings.ANNOUNCEMENTS_REMINDER_WINDOW_DAYS)


def enrolments_owed_reminder(*, now: dt.datetime) -> QuerySet[Enrolment]:
    """The enrolments whose learner is owed the run's reminder at `now` and has not been claimed one."""
    first_end, last_end = reminder_window(now=now)
    inactive_since = now - dt.timedelta(days=settings.ANNOUNCEMENTS_INACTIVE_DAYS)
    recent_progress = LessonProgress.objects.filter(enrolment_id=OuterRef("id"), updated_at__gte=inactive_since)
    recent_attempt = QuizAttempt.objects.filter(
        Q(started_at__gte=inactive_since) | Q(submitted_at__gte=inactive_since), enrolment_id=OuterRef("id")
    )
    completed = CourseCompletion.objects.filter(enrolment_id=OuterRef("id"))
    claimed = Delivery.objects.filter(
        kind=Delivery.Kind.REMINDER, course_run_id=OuterRef("course_run_id"), learner_id=OuterRef("learner_id")
    )
    return (
        Enrolment.objects.filter(
            is_active=True,
            learner__is_active=True,
            course_run__starts_on__lte=first_end,
            course_run__ends_on__gte=first_end,
            course_run__ends_on__lte=last_end,
            enrolled_at__lt=inactive_since,
        )
        .exclude(Exists(recent_progress))
        .exclude(Exists(recent_attempt))
        .exclude(Exists(completed))
        .exclude(Exists(claimed))
    )


def reminder_still_owed(*, delivery: Delivery) -> bool:
    """Whether the learner is still enrolled in the run and has not completed it (when its turn comes)."""
    return Enrolment.objects.filter(
        learner_id=delivery.learner_id, course_run_id=delivery.course_run_id, is_active=True, completion__isnull=True
    ).exists()
