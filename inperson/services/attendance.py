"""Attendance at an in-person day: check-in with a learner's code, ticking the roster, corrections.

Every write takes the day's row lock (the same as seat sign-ups), then writes the attendance and its
learning events in one transaction; a refusal is a translated ValidationError and writes nothing.
A learner has at most one attendance per day (a database constraint), and a scan's id (given by the
trainer's phone) at most one attendance, so a scan sent twice, or a code shown twice, counts once.

Who may: a trainer attached to the day, or someone who may change the day (onetouch.scope). Only
the latter correct an attendance afterwards, and always with a reason (kept).

Through the API (docs/decisions/0037) the one who acts is a key, which has no account: `by` is then
the account recorded (the key's maker) and never what decides. Ticking takes `partner`, the partner
organisation acting as itself, which may tick at the days it runs (the day's partners) as its
trainers may at the days they are attached to; a correction takes `acting`, the requester the key
stands for (an unsaved user with a role and a province), whose rights onetouch.scope weighs.

In-person completion (docs/decisions/0018): the learner attended the day AND completed the course
online. It is written at check-in when the course is already completed, or later by the sweep
`attendance_completions_record` (every minute) when the learner completes it afterwards; exactly once
per attendance through `Attendance.completion_recorded_at`, taken back when the attendance is.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from courses.models import Partner
from inperson.models import Attendance, AttendanceCorrection, DaySeat, InPersonDay
from inperson.pure.checkin import CheckInWindow, ScanProblem, checkin_window, scan_time_problem
from inperson.pure.codes import CodeKeys, CodeProblem, code_match, step_at
from learners.models import CourseCompletion, Enrolment, LearningEvent
from learners.services.events import learning_event_record
from onetouch import scope
from onetouch.models import User

Kind = LearningEvent.Kind


def code_keys() -> CodeKeys:
    """Return the check-in code keys, derived from SECRET_KEY, one purpose per kind of code."""
    return CodeKeys(
        rotating=salted_hmac("onetouch.inperson.checkin.rotating", "key").digest(),
        printable=salted_hmac("onetouch.inperson.checkin.printable", "key").digest(),
    )


def day_window(day: InPersonDay) -> CheckInWindow | None:
    return checkin_window(starts_at=day.starts_at, ends_at=day.ends_at, cancelled=day.is_cancelled)


@dataclass(frozen=True)
class CheckIn:
    attendance: Attendance
    # False when the learner was already checked in (or the scan already counted): nothing was written.
    created: bool


@transaction.atomic
def attendance_check_in(
    *,
    by: User,
    day: InPersonDay,
    code: str,
    scanned_at: datetime | None = None,
    scan_id: uuid.UUID | None = None,
    method: str = Attendance.Method.SCANNED,
) -> CheckIn:
    """Check the learner whose code this is in at the day, as seen at `scanned_at` (a queued scan's time)."""
    day = day_lock(day)
    may_check_in_check(by=by, day=day)
    now = timezone.now()
    scanned_at = scanned_at or now
    scan_time_check(day=day, scanned_at=scanned_at, now=now)
    if scan_id is not None:
        earlier = Attendance.objects.filter(scan_id=scan_id).first()
        if earlier is not None:
            if earlier.day_id != day.id:
                raise ValidationError(_("This scan was already sent for another day."))
            return CheckIn(attendance=earlier, created=False)
    signed_up = day.seats.filter(status=DaySeat.Status.SIGNED_UP).values_list("learner_id", flat=True)
    found = code_match(keys=code_keys(), day_id=day.id, learner_ids=signed_up, code=code, step=step_at(scanned_at))
    if found.problem == CodeProblem.MALFORMED:
        raise ValidationError(_("A code is 8 digits (from the learner's screen) or 10 digits (printed)."))
    if found.problem == CodeProblem.EXPIRED:
        raise ValidationError(_("This code has expired: ask the learner to show the code on their screen now."))
    if found.problem is not None:
        raise ValidationError(_("This code is not valid for this day."))
    existing = Attendance.objects.filter(day=day, learner_id=found.learner_id).first()
    if existing is not None and not existing.present:
        raise ValidationError(_("An admin corrected this learner to absent; only an admin can correct it again."))
    if existing is not None:
        return CheckIn(attendance=existing, created=False)
    if method not in (Attendance.Method.SCANNED, Attendance.Method.TYPED):
        method = Attendance.Method.SCANNED
    attendance = attendance_create(
        day=day, learner_id=found.learner_id, by=by, method=method, at=scanned_at, scan_id=scan_id
    )
    return CheckIn(attendance=attendance, created=True)


@transaction.atomic
def attendance_tick(*, by: User, day: InPersonDay, learner: User, partner: Partner | None = None) -> CheckIn:
    """Mark a learner signed up as present from the roster, during the check-in window; a repeat changes nothing.

    `partner`: the partner organisation ticking through its API key (`by` is then only recorded).
    """
    day = day_lock(day)
    may_check_in_check(by=by, day=day, partner=partner)
    now = timezone.now()
    window = day_window(day)
    if window is None:
        raise ValidationError(_("This in-person day is cancelled: nobody can be checked in."))
    if not window.holds(now):
        raise ValidationError(window_message(window))
    if not day.seats.filter(status=DaySeat.Status.SIGNED_UP, learner=learner).exists():
        raise ValidationError(_("This learner is not signed up for this day."))
    existing = Attendance.objects.filter(day=day, learner=learner).first()
    if existing is not None and not existing.present:
        raise ValidationError(_("An admin corrected this learner to absent; only an admin can correct it again."))
    if existing is not None:
        return CheckIn(attendance=existing, created=False)
    attendance = attendance_create(day=day, learner_id=learner.id, by=by, method=Attendance.Method.TICKED, at=now)
    return CheckIn(attendance=attendance, created=True)


@transaction.atomic
def attendance_correct(
    *, by: User, day: InPersonDay, learner: User, present: bool, reason: str, acting: User | None = None
) -> AttendanceCorrection:
    """Set a learner present or absent after the fact, with the reason; the events follow (or are taken back).

    `acting`: the API key's requester whose rights decide (`by` is then only recorded).
    """
    day = day_lock(day)
    if not scope.can_change(acting or by, day.course_run.course.owner_province_id):
        raise ValidationError(_("You may not correct the attendance of this in-person day."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the attendance is corrected.")})
    window = day_window(day)
    if window is None or timezone.now() < window.opens_at:
        raise ValidationError(_("Attendance can be corrected once the day's check-in has opened."))
    enrolment = enrolment_for(day=day, learner_id=learner.id)
    if enrolment is None:
        raise ValidationError(_("This learner is not enrolled in the day's course run."))
    attendance = Attendance.objects.select_for_update().filter(day=day, learner=learner).first()
    present_before = attendance is not None and attendance.present
    if present_before == present:
        message = _("This learner is already marked present.") if present else _("This learner is already absent.")
        raise ValidationError(message)
    if attendance is None:
        attendance = attendance_create(
            day=day, learner_id=learner.id, by=by, method=Attendance.Method.SHEET, at=day.starts_at
        )
    elif present:
        attendance.present = True
        attendance.save(update_fields=["present"])
        learning_event_record(kind=Kind.ATTENDED_IN_PERSON, enrolment=enrolment)
        completion_record_if_completed(attendance=attendance, enrolment=enrolment)
    else:
        attendance.present = False
        learning_event_record(kind=Kind.ATTENDANCE_WITHDRAWN, enrolment=enrolment)
        if attendance.completion_recorded_at is not None:
            attendance.completion_recorded_at = None
            learning_event_record(kind=Kind.COMPLETED_IN_PERSON_WITHDRAWN, enrolment=enrolment)
        attendance.save(update_fields=["present", "completion_recorded_at"])
    correction = AttendanceCorrection(
        attendance=attendance, present_before=present_before, present_after=present, reason=reason, by=by
    )
    correction.full_clean()
    correction.save()
    return correction


def attendance_create(
    *, day: InPersonDay, learner_id: int, by: User, method: str, at: datetime, scan_id: uuid.UUID | None = None
) -> Attendance:
    """Write a present attendance, its event and, if the course is already completed, the in-person completion."""
    enrolment = enrolment_for(day=day, learner_id=learner_id)
    if enrolment is None:
        raise ValidationError(_("This learner is not enrolled in the day's course run."))
    attendance = Attendance(
        day=day, learner_id=learner_id, present=True, method=method, checked_in_at=at, checked_in_by=by, scan_id=scan_id
    )
    attendance.full_clean(validate_unique=False, validate_constraints=False)
    attendance.save()
    learning_event_record(kind=Kind.ATTENDED_IN_PERSON, enrolment=enrolment)
    completion_record_if_completed(attendance=attendance, enrolment=enrolment)
    return attendance


def completion_record_if_completed(*, attendance: Attendance, enrolment: Enrolment) -> bool:
    """Write the in-person completion if the course is completed online and it is not written yet."""
    if attendance.completion_recorded_at is not None or not attendance.present:
        return False
    if not CourseCompletion.objects.filter(enrolment_id=enrolment.id).exists():
        return False
    attendance.completion_recorded_at = timezone.now()
    attendance.save(update_fields=["completion_recorded_at"])
    learning_event_record(kind=Kind.COMPLETED_IN_PERSON, enrolment=enrolment)
    return True


def attendance_completions_record() -> int:
    """Write the in-person completions owed (present, completed online since); return how many were written."""
    return sum(attendance_completion_record(attendance_id=attendance_id) for attendance_id in completions_owed())


@transaction.atomic
def attendance_completion_record(*, attendance_id: int) -> bool:
    """Write one attendance's in-person completion under its row lock, once whatever runs concurrently."""
    attendance = Attendance.objects.select_for_update().select_related("day__course_run").get(id=attendance_id)
    enrolment = enrolment_for(day=attendance.day, learner_id=attendance.learner_id)
    if enrolment is None:
        return False
    return completion_record_if_completed(attendance=attendance, enrolment=enrolment)


def completions_owed() -> QuerySet:
    """Ids of present attendances without their in-person completion whose learner completed the course."""
    completed = CourseCompletion.objects.filter(
        learner_id=OuterRef("learner_id"), course_id=OuterRef("day__course_run__course_id")
    )
    return (
        Attendance.objects.filter(Exists(completed), present=True, completion_recorded_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )


def enrolment_for(*, day: InPersonDay, learner_id: int) -> Enrolment | None:
    """Return the learner's enrolment in the day's course (the events carry it), if any."""
    return (
        Enrolment.objects.select_related("course")
        .filter(learner_id=learner_id, course_id=day.course_run.course_id)
        .first()
    )


def day_lock(day: InPersonDay) -> InPersonDay:
    """Return the day read again under its row lock (seat sign-ups take the same lock)."""
    return InPersonDay.objects.select_for_update(of=("self",)).select_related("course_run__course").get(id=day.id)


def may_check_in(*, user: User, day: InPersonDay, partner: Partner | None = None) -> bool:
    """Return whether the user may check learners in at the day: its trainer, or someone who may change it.

    With `partner`, the partner organisation itself acts (its API key) and `user` does not count: it
    may at the days it runs, as its trainers may at the days they are attached to.
    """
    if partner is not None:
        return day.partners.filter(id=partner.id).exists()
    if not user.is_authenticated or not user.is_active:
        return False
    return day.trainers.filter(user_id=user.id).exists() or scope.can_change(
        user, day.course_run.course.owner_province_id
    )


def may_check_in_check(*, by: User, day: InPersonDay, partner: Partner | None = None) -> None:
    if not may_check_in(user=by, day=day, partner=partner):
        raise ValidationError(_("You may not check learners in at this in-person day."))


def scan_time_check(*, day: InPersonDay, scanned_at: datetime, now: datetime) -> None:
    window = day_window(day)
    problem = scan_time_problem(window=window, scanned_at=scanned_at, now=now)
    if problem == ScanProblem.NO_WINDOW:
        raise ValidationError(_("This in-person day is cancelled: nobody can be checked in."))
    if problem == ScanProblem.IN_THE_FUTURE:
        raise ValidationError(_("The scan's time is in the future: check the phone's clock."))
    if problem == ScanProblem.OUTSIDE_WINDOW:
        raise ValidationError(window_message(window))
    if problem == ScanProblem.SENT_TOO_LATE:
        raise ValidationError(
            _("This scan arrived more than a day after the check-in closed; it is no longer accepted.")
        )


def window_message(window: CheckInWindow) -> str:
    return _("Check-in for this day is open from %(opens)s to %(closes)s only.") % {
        "opens": formats.date_format(timezone.localtime(window.opens_at), "DATETIME_FORMAT"),
        "closes": formats.time_format(timezone.localtime(window.closes_at), "TIME_FORMAT"),
    }
