from celery import shared_task

from inperson.services.attendance import attendance_completions_record as attendance_completions_record_service
from inperson.services.notices import day_notices_send as day_notices_send_service
from inperson.services.seats import seats_release_unenrolled as seats_release_unenrolled_service


# Idempotent: a released seat is no longer active, and each day is handled under its row lock.
@shared_task(acks_late=True)
def seats_release_unenrolled() -> int:
    """Release the in-person day seats of learners who left the course, promoting those waiting."""
    return seats_release_unenrolled_service()


# Idempotent: every notice is claimed once (unique learner + kind + source) and sent under its row
# lock with its sent_at, so a redelivered task, a second beat or a run at the same moment sends nothing twice.
@shared_task(acks_late=True)
def day_notices_send() -> int:
    """Send the in-person day's notices owed now: changes, cancellations, promotions, tomorrow's reminders."""
    return day_notices_send_service()


# Idempotent: each attendance's completion is written once, under its row lock (completion_recorded_at).
@shared_task(acks_late=True)
def attendance_completions_record() -> int:
    """Write the in-person completions of learners who attended and have since completed the course online."""
    return attendance_completions_record_service()
