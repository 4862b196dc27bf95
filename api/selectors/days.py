"""Reads of in-person days for the API: which days a key reaches, their list and one day's attendance.

Which days (docs/decisions/0035, 0037): a partner's key the days its partner organisation runs (the
day's partners), a province's key the days of its own province's courses, as its admins reach them
in the studio (through onetouch.scope), the ministry's every day; a learner's session none. A day
outside them is 404, like a missing id.
"""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from inperson.models import DaySeat, InPersonDay
from inperson.pure.checkin import checkin_window
from inperson.selectors.attendance import attendance_counts, roster_with_attendance
from onetouch import scope
from onetouch.models import User


def days_for_api(*, user: User) -> QuerySet[InPersonDay]:
    """A partner's key: its organisation's days; anyone else: their province's courses' days (all: the ministry)."""
    days = InPersonDay.objects.select_related("course_run__course")
    partner_id = getattr(user, "api_partner_id", None)
    if partner_id:
        return days.filter(partners__id=partner_id)
    # As the studio reaches days: through the courses the requester may change (a province's own).
    return scope.filter_to_scope(days, user, province_field="course_run__course__owner_province")


def day_get_for_api(*, user: User, day_id: int) -> InPersonDay:
    """Return the day if the requester may post its attendance, else 404 like a missing id."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(days_for_api(user=user), id=day_id)


def day_list_for_api(*, user: User) -> QuerySet[InPersonDay]:
    """The requester's days, soonest first, with what the trainer's list of days shows (one statement)."""
    return (
        days_for_api(user=user)
        .select_related("province", "venue_commune")
        .annotate(
            seats_signed_up=Count("seats", filter=Q(seats__status=DaySeat.Status.SIGNED_UP)),
            seats_waiting=Count("seats", filter=Q(seats__status=DaySeat.Status.WAITING)),
        )
        .order_by("starts_at", "id")
    )


def day_attendance_get_for_api(*, user: User, day_id: int) -> InPersonDay:
    """Return the day with what its attendance page shows, else 404 like a missing id.

    Read with inperson's own roster (two statements whatever its size); set on the day, as annotations
    are: `checkin_window` (None for a cancelled day), `roster` (RosterRow list), `attendance_counts`.
    """
    if not user.is_authenticated:
        raise Http404
    day = get_object_or_404(day_list_for_api(user=user), id=day_id)
    day.checkin_window = checkin_window(starts_at=day.starts_at, ends_at=day.ends_at, cancelled=day.is_cancelled)
    day.roster = roster_with_attendance(day=day)
    day.attendance_counts = attendance_counts(day.roster)
    return day
