"""Learners' seats at an in-person day: sign-up, the waiting list and its promotions.

Every write takes the day's row lock first (SELECT … FOR UPDATE), so concurrent sign-ups and
cancellations of one day run one after the other: the last seat goes to exactly one learner, and a
seat freed by a cancellation goes, in the same transaction, to the first learner waiting. Nothing
is promoted once the day has started, and nobody who has left the course is promoted.

A learner who leaves the course leaves its day: the learners app sits below this one and cannot
call it, so a sweep (`seats_release_unenrolled`, every minute from beat) releases their seats and
promotes the learners waiting, day by day under the same lock.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from inperson.models import DaySeat, InPersonDay
from learners.models import Enrolment
from onetouch.jobs import task_queue_on_commit
from onetouch.models import User


@transaction.atomic
def seat_take(*, learner: User, day: InPersonDay, language: str = "") -> DaySeat:
    """Sign the learner up, or put them on the waiting list when the day is full; a repeat changes nothing.

    `language` is the one the learner reads the site in: the day's messages to them are written in it.
    """
    enrolled = Enrolment.objects.filter(learner=learner, course_run_id=OuterRef("course_run_id"), is_active=True)
    day = InPersonDay.objects.select_for_update(of=("self",)).annotate(learner_enrolled=Exists(enrolled)).get(id=day.id)
    if not day.learner_enrolled:
        raise ValidationError(_("Only learners enrolled in this course run can sign up for its in-person day."))
    if day.is_cancelled:
        raise ValidationError(_("This in-person day is cancelled."))
    if day.starts_at <= timezone.now():
        raise ValidationError(_("This in-person day has started; sign-up is closed."))
    # Read after the day's lock (a statement that waited on it would still see the snapshot it began with):
    # the learner's active seat and the seats taken, in one query.
    seats = day.seats.aggregate(
        mine=Max("id", filter=Q(learner=learner) & ~Q(status=DaySeat.Status.CANCELLED)),
        signed_up=Count("id", filter=Q(status=DaySeat.Status.SIGNED_UP)),
    )
    if seats["mine"] is not None:
        return DaySeat.objects.get(id=seats["mine"])
    status = DaySeat.Status.SIGNED_UP if seats["signed_up"] < day.capacity else DaySeat.Status.WAITING
    return DaySeat.objects.create(day=day, learner=learner, status=status, language=language)


@transaction.atomic
def seat_release(*, learner: User, day: InPersonDay) -> DaySeat:
    """Cancel the learner's seat or place on the waiting list; a freed seat goes to the first waiting."""
    day = InPersonDay.objects.select_for_update().get(id=day.id)
    seat = day.seats.exclude(status=DaySeat.Status.CANCELLED).filter(learner=learner).first()
    if seat is None:
        raise ValidationError(_("You are not signed up for this in-person day."))
    now = timezone.now()
    if day.starts_at <= now:
        raise ValidationError(_("This in-person day has started; your place can no longer be cancelled."))
    if seat.status == DaySeat.Status.SIGNED_UP and day.cancellation_deadline < now:
        raise ValidationError(_("The cancellation deadline has passed; please tell the organisers instead."))
    was_signed_up = seat.status == DaySeat.Status.SIGNED_UP
    seat.status = DaySeat.Status.CANCELLED
    seat.cancelled_at = now
    seat.save(update_fields=["status", "cancelled_at"])
    if was_signed_up and not day.is_cancelled:
        seats_promote(day=day, free=1)
    return seat


def seats_promote(*, day: InPersonDay, free: int) -> list[DaySeat]:
    """Give up to `free` seats to the first learners waiting, in the caller's transaction and day lock.

    Before the day starts only: a promotion after the start would send someone to a day already under way.
    """
    now = timezone.now()
    if free <= 0 or day.starts_at <= now or day.is_cancelled:
        return []
    waiting = list(day.seats.filter(enrolled_in_run(), status=DaySeat.Status.WAITING).order_by("asked_at", "id")[:free])
    for seat in waiting:
        seat.status = DaySeat.Status.SIGNED_UP
        seat.promoted_at = now
        seat.save(update_fields=["status", "promoted_at"])
    if waiting:
        # The promoted learners are told at once, by the worker, once this transaction has committed.
        task_queue_on_commit("inperson.tasks.day_notices_send")
    return waiting


def seats_release_unenrolled() -> int:
    """Release the seats of learners who left the course, on every day not yet started; return how many."""
    day_ids = set(seats_of_unenrolled().values_list("day_id", flat=True))
    return sum(day_seats_release_unenrolled(day_id=day_id) for day_id in sorted(day_ids))


@transaction.atomic
def day_seats_release_unenrolled(*, day_id: int) -> int:
    """Release one day's seats of learners who left the course and give the freed seats to those waiting."""
    day = InPersonDay.objects.select_for_update().get(id=day_id)
    now = timezone.now()
    if day.starts_at <= now or day.is_cancelled:
        return 0
    seats = list(seats_of_unenrolled().filter(day=day))
    freed = sum(1 for seat in seats if seat.status == DaySeat.Status.SIGNED_UP)
    for seat in seats:
        seat.status, seat.cancelled_at = DaySeat.Status.CANCELLED, now
        seat.save(update_fields=["status", "cancelled_at"])
    seats_promote(day=day, free=freed)
    return len(seats)


def seats_of_unenrolled() -> QuerySet[DaySeat]:
    """Active seats, on days neither started nor cancelled, of learners no longer enrolled in the day's run."""
    return DaySeat.objects.exclude(enrolled_in_run()).filter(
        status__in=[DaySeat.Status.SIGNED_UP, DaySeat.Status.WAITING],
        day__cancelled_at__isnull=True,
        day__starts_at__gt=timezone.now(),
    )


def enrolled_in_run() -> Exists:
    """A seat's learner still has an active enrolment in the day's run."""
    return Exists(
        Enrolment.objects.filter(
            learner=OuterRef("learner_id"), course_run=OuterRef("day__course_run_id"), is_active=True
        )
    )
