"""Writing an announcement, and listing its recipients: one Delivery row each, claimed once."""

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from announcements.models import Announcement, Delivery
from announcements.selectors.targets import Target, announcement_recipient_ids
from onetouch import scope
from onetouch.jobs import task_queue_on_commit
from onetouch.models import User

SEND_TASK = "announcements.tasks.deliveries_send"


@transaction.atomic
def announcement_create(*, by: User, target: Target, title: str, body: str) -> Announcement:
    """Write the announcement and queue the listing of its recipients after the commit."""
    # The target was found through the scope; asking again keeps a caller that skipped it from writing.
    if not scope.can_change(by, target.scope_province_id):
        raise PermissionDenied
    announcement = Announcement(
        title=title.strip(),
        body=body.strip(),
        author=by,
        target=target.kind,
        course=target.course,
        course_run=target.course_run,
        province=target.province,
        scope_province_id=target.scope_province_id,
    )
    announcement.full_clean()
    announcement.save()
    task_queue_on_commit("announcements.tasks.announcement_recipients_claim", announcement.id)
    return announcement


def announcement_recipients_claim(*, announcement_id: int) -> int:
    """Write a delivery for every recipient not yet written, then queue the sending in batches; return the count.

    Run twice (a retried task, the sweep catching a lost job) it writes nothing twice: the unique
    (announcement, learner) key keeps one row and the others are ignored.
    """
    announcement = Announcement.objects.get(id=announcement_id)
    recipient_ids = list(announcement_recipient_ids(announcement=announcement).iterator(chunk_size=5000))
    batch_size = settings.ANNOUNCEMENTS_BATCH_SIZE
    for start in range(0, len(recipient_ids), batch_size):
        Delivery.objects.bulk_create(
            [
                Delivery(kind=Delivery.Kind.ANNOUNCEMENT, announcement_id=announcement.id, learner_id=learner_id)
                for learner_id in recipient_ids[start : start + batch_size]
            ],
            ignore_conflicts=True,
        )
    Announcement.objects.filter(id=announcement.id).update(
        recipients_claimed_at=timezone.now(), recipient_count=len(recipient_ids)
    )
    send_batches_queue(count=len(recipient_ids))
    return len(recipient_ids)


def send_batches_queue(*, count: int) -> None:
    """Queue one sending task per batch of `count` new deliveries (each takes whichever are due)."""
    for _ in range(math.ceil(count / settings.ANNOUNCEMENTS_BATCH_SIZE)):
        task_queue_on_commit(SEND_TASK)
