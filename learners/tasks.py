from celery import shared_task

from learners.services.certificates import certificate_issue as certificate_issue_service
from learners.services.certificates import certificates_missing_queue
from learners.services.quizzes import attempts_expired_grade


# Idempotent: issuing for a completion that has a certificate changes nothing, so acknowledged late.
@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def certificate_issue(completion_id: int) -> None:
    """Issue the certificate of one course completion (PDF, code, QR) and tell the learner."""
    certificate_issue_service(completion_id=completion_id)


# Idempotent (it only queues certificate_issue, itself idempotent), so acknowledged late.
@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def certificates_missing_issue() -> int:
    """Queue the certificates of completions whose issue job never ran (the broker was down)."""
    return certificates_missing_queue()


# Idempotent: an attempt is graded once (its row is locked), so acknowledged late.
@shared_task(acks_late=True)
def quiz_attempts_expired_grade() -> int:
    """Grade the quiz attempts whose time ran out while nobody was on their page."""
    return attempts_expired_grade()
