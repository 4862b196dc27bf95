from celery import shared_task
from django.db import DatabaseError

from courses.services.catalogue import course_enrolment_counts_refresh as course_enrolment_counts_refresh_service
from courses.services.materials import lesson_process as lesson_process_service


# Idempotent (a recount from the source), so acknowledged only after it has run.
@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def course_enrolment_counts_refresh() -> int:
    """Recount the catalogue's enrolment counts from the enrolment table."""
    return course_enrolment_counts_refresh_service()


# Idempotent (it does nothing unless the lesson is still waiting for processing, and each run writes to
# a folder of its own), so acknowledged only after it has run: a worker lost mid-video redelivers it.
# Its time limits allow about an hour of video and stay below the broker's visibility timeout (1 h).
@shared_task(
    acks_late=True,
    max_retries=3,
    default_retry_delay=60,
    autoretry_for=(DatabaseError,),
    soft_time_limit=3000,
    time_limit=3300,
)
def lesson_process(lesson_id: int) -> None:
    """Make a lesson's poster and HLS renditions, or slide page images, from its uploaded file."""
    lesson_process_service(lesson_id=lesson_id)
