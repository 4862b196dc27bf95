"""Unsubscribing from (and back to) announcements or reminders; the next delivery reads it at once."""

from django.db import transaction

from announcements.models import EmailOptOut
from onetouch.models import User


def opt_out_create(*, learner_id: int, kind: str) -> None:
    """Unsubscribe the learner from this kind of message; a second click (or a mail client's) changes nothing."""
    if not User.objects.filter(id=learner_id).exists():
        return  # a deleted account is written to no more anyway
    EmailOptOut.objects.bulk_create([EmailOptOut(learner_id=learner_id, kind=kind)], ignore_conflicts=True)


@transaction.atomic
def opt_out_delete(*, learner: User, kind: str) -> None:
    """Subscribe the learner again to this kind of message."""
    EmailOptOut.objects.filter(learner=learner, kind=kind).delete()
