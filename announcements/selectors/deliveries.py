"""Reads of the send queue: the deliveries due now, and announcements whose recipients were never listed."""

import datetime as dt

from django.db.models import Q, QuerySet

from announcements.models import Announcement, Delivery

# A delivery whose sending failed this many times is left unsent (and logged) rather than retried forever.
MAX_ATTEMPTS = 5


def deliveries_due(*, now: dt.datetime) -> QuerySet[Delivery]:
    """The deliveries not done, under the attempts' cap, whose next try has come; oldest first, with their rows."""
    return (
        Delivery.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .select_related(
            "learner",
            "announcement__course",
            "announcement__course_run",
            "announcement__province",
            "course_run__course",
        )
        .order_by("created_at", "id")
    )


def announcements_unclaimed(*, before: dt.datetime) -> QuerySet[Announcement]:
    """Announcements written before `before` whose recipients were never listed (their job was lost)."""
    return Announcement.objects.filter(recipients_claimed_at__isnull=True, created_at__lt=before).order_by("id")
