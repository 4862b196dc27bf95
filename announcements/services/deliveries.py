"""Sending the deliveries owed, in batches, each at most once (onetouch.outbox, docs/decisions/0023).

A batch takes up to ANNOUNCEMENTS_BATCH_SIZE due deliveries, each in its own transaction under
`FOR UPDATE SKIP LOCKED`, and marks it done (`sent_at`, its outcome and channel) in that
transaction: a retried or duplicated task, or two workers at once, never send one twice. A send
that fails is tried again after a backoff (1, 2, 4, 8 minutes), up to MAX_ATTEMPTS.

What happens to each, read when its turn comes (so an unsubscription is honoured at once):
unsubscribed from its kind → not sent; a reminder whose learner left the run or completed it →
not sent; else email when the account has an address, SMS (short form) when it has only a phone.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from announcements.models import Delivery
from announcements.selectors.announcements import is_opted_out
from announcements.selectors.deliveries import MAX_ATTEMPTS, announcements_unclaimed, deliveries_due
from announcements.selectors.reminders import reminder_still_owed
from announcements.services.messages import delivery_email, delivery_sms
from onetouch.jobs import task_queue_on_commit
from onetouch.outbox import outbox_drain
from onetouch.sms import sms_send

logger = logging.getLogger(__name__)

RETRY_FIRST_DELAY = dt.timedelta(minutes=1)
# An announcement whose recipients are still unlisted this long after it was written lost its job.
CLAIM_LOST_AFTER = dt.timedelta(minutes=5)


def deliveries_send(*, now: dt.datetime | None = None) -> int:
    """Send one batch of the deliveries due; return how many messages went out."""
    return outbox_drain(
        pending=deliveries_due(now=now or timezone.now()),
        deliver=delivery_deliver,
        failed=delivery_failed,
        limit=settings.ANNOUNCEMENTS_BATCH_SIZE,
    )


def deliveries_sweep(*, now: dt.datetime | None = None) -> int:
    """List the recipients of announcements whose job was lost, then send one batch of what is due (retries too)."""
    now = now or timezone.now()
    for announcement_id in announcements_unclaimed(before=now - CLAIM_LOST_AFTER).values_list("id", flat=True):
        task_queue_on_commit("announcements.tasks.announcement_recipients_claim", announcement_id)
    return deliveries_send(now=now)


def delivery_deliver(delivery: Delivery) -> int:
    """Send the delivery by its learner's channel, or decide it is not to be sent; mark it done. Return 1 if sent."""
    delivery.attempts += 1
    delivery.sent_at = timezone.now()
    delivery.outcome, delivery.channel = delivery_outcome(delivery)
    if delivery.channel == Delivery.Channel.EMAIL:
        delivery_email(delivery).send()
    elif delivery.channel == Delivery.Channel.SMS:
        sms_send(phone=delivery.learner.phone, message=delivery_sms(delivery))
    delivery.save(update_fields=["attempts", "sent_at", "outcome", "channel"])
    return 1 if delivery.channel else 0


def delivery_outcome(delivery: Delivery) -> tuple[str, str]:
    """What becomes of the delivery now: (outcome, channel), the channel blank when nothing is sent."""
    if delivery.kind == Delivery.Kind.REMINDER and not reminder_still_owed(delivery=delivery):
        return Delivery.Outcome.NOT_OWED, ""
    if is_opted_out(learner_id=delivery.learner_id, kind=delivery.kind):
        return Delivery.Outcome.UNSUBSCRIBED, ""
    if delivery.learner.email:
        return Delivery.Outcome.SENT, Delivery.Channel.EMAIL
    if delivery.learner.phone:
        return Delivery.Outcome.SENT, Delivery.Channel.SMS
    return Delivery.Outcome.NO_ADDRESS, ""


def delivery_failed(delivery: Delivery) -> None:
    """Count the failed attempt and set the next try after a backoff that doubles each time."""
    tried = delivery.attempts  # delivery_deliver counted this attempt on the row before it failed
    if tried >= MAX_ATTEMPTS:
        logger.error("Delivery %s failed %s times; it is left unsent.", delivery.id, tried)
    retry_at = timezone.now() + RETRY_FIRST_DELAY * 2 ** max(tried - 1, 0)
    Delivery.objects.filter(id=delivery.id).update(attempts=F("attempts") + 1, retry_at=retry_at)
