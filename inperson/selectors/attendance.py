"""Reads of check-in and attendance: the learner's own code page, a day's roster with who is present."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from inperson.models import Attendance, AttendanceCorrection, DaySeat, InPersonDay
from inperson.pure.contacts import contact_masked
from onetouch.models import User


def day_get_for_code(*, learner: User, day_id: int) -> InPersonDay:
    """Return the day if the learner holds a seat there (signed up, not waiting), else 404."""
    if not learner.is_authenticated:
        raise Http404
    days = (
        InPersonDay.objects.filter(seats__learner=learner, seats__status=DaySeat.Status.SIGNED_UP)
        .select_related("course_run__course", "province", "venue_commune")
        .distinct()
    )
    return get_object_or_404(days, id=day_id)


@dataclass(frozen=True)
class RosterRow:
    learner: User
    commune_name: str
    contact: str
    signed_up: bool
    attendance: Attendance | None

    @property
    def present(self) -> bool:
        return self.attendance is not None and self.attendance.present


def roster_with_attendance(*, day: InPersonDay) -> list[RosterRow]:
    """Return the learners signed up, and anyone with an attendance, by name, each with their attendance.

    Two queries whatever the roster's size.
    """
    seats = day.seats.filter(status=DaySeat.Status.SIGNED_UP).select_related("learner__profile__commune")
    attendances = {
        attendance.learner_id: attendance
        for attendance in Attendance.objects.filter(day=day).select_related("learner__profile__commune")
    }
    learners = {seat.learner_id: seat.learner for seat in seats}
    signed_up = set(learners)
    for attendance in attendances.values():
        learners.setdefault(attendance.learner_id, attendance.learner)
    rows = [
        RosterRow(
            learner=learner,
            commune_name=commune_name_of(learner),
            contact=contact_masked(phone=learner.phone, email=learner.email),
            signed_up=learner.id in signed_up,
            attendance=attendances.get(learner.id),
        )
        for learner in learners.values()
    ]
    return sorted(rows, key=lambda row: (name_of(row.learner).casefold(), row.learner.id))


def roster_search(rows: list[RosterRow], search: str) -> list[RosterRow]:
    """Keep the rows whose learner's name contains `search` (any case); all of them when it is empty."""
    needle = search.strip().casefold()
    return [row for row in rows if needle in name_of(row.learner).casefold()] if needle else rows


def name_of(learner: User) -> str:
    return learner.full_name or learner.email


def commune_name_of(learner: User) -> str:
    profile = getattr(learner, "profile", None)
    return profile.commune.name if profile is not None and profile.commune_id else ""


def attendance_counts(rows: list[RosterRow]) -> dict[str, int]:
    """Return how many of a whole roster are signed up and how many are present."""
    return {"signed_up": sum(row.signed_up for row in rows), "present": sum(row.present for row in rows)}


def corrections_for_day(*, day: InPersonDay) -> QuerySet[AttendanceCorrection]:
    """Return the day's attendance corrections, newest first, with who was corrected and by whom."""
    return (
        AttendanceCorrection.objects.filter(attendance__day=day)
        .select_related("attendance__learner", "by")
        .order_by("-at", "-id")
    )
