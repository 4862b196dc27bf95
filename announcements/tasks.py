"""Background jobs of announcements: each loads what it needs and calls one service (docs/decisions/0023)."""

from celery import shared_task

from announcements.services.announcements import announcement_recipients_claim as announcement_recipients_claim_service
from announcements.services.deliveries import deliveries_send as deliveries_send_service
from announcements.services.deliveries import deliveries_sweep as deliveries_sweep_service
from announcements.services.reminders import reminders_claim as reminders_claim_service


# Idempotent: the unique (announcement, learner) key keeps one delivery per recipient however often it runs.
@shared_task(acks_late=True)
def announcement_recipients_claim(announcement_id: int) -> int:
    """List an announcement's recipients (one delivery each) and queue their sending in batches."""
    return announcement_recipients_claim_service(announcement_id=announcement_id)


# Idempotent: each delivery is sent under its row lock with its sent_at, so a redelivered or
# duplicated task, or two at the same moment, send nothing twice.
@shared_task(acks_late=True)
def deliveries_send() -> int:
    """Send one batch of the announcements and reminders due."""
    return deliveries_send_service()


# Idempotent, as the two above.
@shared_task(acks_late=True)
def deliveries_sweep() -> int:
    """Catch up: list the recipients of announcements whose job was lost, send a batch of what is due (retries)."""
    return deliveries_sweep_service()


# Idempotent: the unique (course run, learner) key keeps one reminder per learner and run, ever.
@shared_task(acks_late=True)
def reminders_claim() -> int:
    """Find the learners owed a reminder to finish, and queue the sending."""
    return reminders_claim_service()
