from celery import shared_task

from courses.services.catalogue import course_enrolment_counts_refresh as course_enrolment_counts_refresh_service


# Idempotent (a recount from the source), so acknowledged only after it has run.
@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def course_enrolment_counts_refresh() -> int:
    """Recount the catalogue's enrolment counts from the enrolment table."""
    return course_enrolment_counts_refresh_service()
