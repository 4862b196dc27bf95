"""Reads of announcements: what a learner was sent, what an admin's scope wrote, who unsubscribed from what."""

from django.db.models import QuerySet

from announcements.models import Announcement, Delivery, EmailOptOut
from onetouch import scope
from onetouch.models import User


def announcement_deliveries_for_learner(*, learner: User) -> QuerySet[Delivery]:
    """The announcements sent to the learner, newest first, with what the list shows (one query a page)."""
    return (
        Delivery.objects.filter(learner=learner, kind=Delivery.Kind.ANNOUNCEMENT)
        .select_related("announcement__course", "announcement__course_run", "announcement__province")
        .order_by("-created_at", "-id")
    )


def announcements_for_studio(*, user: User) -> QuerySet[Announcement]:
    """The announcements written within the user's scope, newest first, with their targets and authors."""
    # A provincial admin's scope keeps their province's rows; national courses' are the ministry's.
    announcements = scope.filter_to_scope(Announcement.objects.all(), user, province_field="scope_province")
    return announcements.select_related("author", "course", "course_run", "province").order_by("-created_at", "-id")


def opted_out_kinds(*, learner: User) -> set[str]:
    """The kinds of message the learner unsubscribed from."""
    return set(EmailOptOut.objects.filter(learner=learner).values_list("kind", flat=True))


def is_opted_out(*, learner_id: int, kind: str) -> bool:
    return EmailOptOut.objects.filter(learner_id=learner_id, kind=kind).exists()
