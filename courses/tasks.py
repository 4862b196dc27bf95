from celery import shared_task
from django.db import DatabaseError

from courses.services.catalogue import course_enrolment_counts_refresh as course_enrolment_counts_refresh_service
from courses.services.materials import lesson_process as lesson_process_service
from courses.services.materials import lessons_unprocessed_requeue as lessons_unprocessed_requeue_service


# Idempotent (a recount from the source), so acknowledged only after it has run.
@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def course_enrolment_counts_refresh() -> int:
    """Recount the catalogue's enrolment counts from the enrolment table."""
    return course_enrolment_counts_refresh_service()


# Idempotent (it does nothing unless the lesson is still waiting for processing, and each run writes to
# a folder of its own), so acknowledged only after it has run: a worker lost mid-video redelivers it.
# Its time limits allow about an hour of video and stay below the broker's visibility timeout (1 h).
# Its task id is the run's claim on the lesson: a redelivery or retry (same id) goes on, while a second
# copy queued by lessons_unprocessed_requeue (another id) stops as long as this run may still be going.
@shared_task(
    bind=True,
    acks_late=True,
    max_retries=3,
    default_retry_delay=60,
    autoretry_for=(DatabaseError,),
    soft_time_limit=3000,
    time_limit=3300,
)
def lesson_process(self, lesson_id: int) -> None:
    """Make a lesson's poster and HLS renditions, or slide page images, from its uploaded file."""
    lesson_process_service(lesson_id=lesson_id, run_id=self.request.id or "")


# Harmless twice: a second run finds nothing new to queue (queuing counts as a lesson's change), and
# lesson_process stops for a lesson another run holds or that is done. Acknowledged before it runs,
# like most tasks: if it is lost, beat runs it again ten minutes later.
@shared_task(max_retries=3, default_retry_delay=60)
def lessons_unprocessed_requeue() -> int:
    """Queue processing again for lessons whose job was lost (the broker was down, or the worker died)."""
    return lessons_unprocessed_requeue_service()
