"""Reminders to finish: claimed once per learner and course run, ever (docs/decisions/0023)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from announcements.models import Delivery
from announcements.selectors.reminders import enrolments_owed_reminder
from announcements.services.announcements import send_batches_queue


def reminders_claim(*, now: dt.datetime | None = None) -> int:
    """Write the reminder owed to each inactive learner of a run ending soon, and queue their sending.

    Two beats at once may both find a learner unclaimed: the unique (course run, learner) key keeps
    one row, the other is ignored. Return how many were found owed.
    """
    now = now or timezone.now()
    owed = list(enrolments_owed_reminder(now=now).values_list("learner_id", "course_run_id"))
    Delivery.objects.bulk_create(
        [
            Delivery(kind=Delivery.Kind.REMINDER, learner_id=learner_id, course_run_id=run_id)
            for learner_id, run_id in owed
        ],
        batch_size=settings.ANNOUNCEMENTS_BATCH_SIZE,
        ignore_conflicts=True,
    )
    send_batches_queue(count=len(owed))
    return len(owed)
