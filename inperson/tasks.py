from celery import shared_task

from inperson.services.seats import seats_release_unenrolled as seats_release_unenrolled_service


# Idempotent: a released seat is no longer active, and each day is handled under its row lock.
@shared_task(acks_late=True)
def seats_release_unenrolled() -> int:
    """Release the in-person day seats of learners who left the course, promoting those waiting."""
    return seats_release_unenrolled_service()
