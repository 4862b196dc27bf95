"""Learners' seats at an in-person day: sign-up, the waiting list and its promotions.

Every write takes the day's row lock first (SELECT … FOR UPDATE), so concurrent sign-ups and
cancellations of one day run one after the other: the last seat goes to exactly one learner, and a
seat freed by a cancellation goes, in the same transaction, to the first learner waiting. Nothing
is promoted once the day has started.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inperson.models import DaySeat, InPersonDay
from learners.models import Enrolment
from onetouch.models import User


@transaction.atomic
def seat_take(*, learner: User, day: InPersonDay) -> DaySeat:
    """Sign the learner up, or put them on the waiting list when the day is full; a repeat changes nothing."""
    day = InPersonDay.objects.select_for_update().get(id=day.id)
    if not Enrolment.objects.filter(learner=learner, course_run_id=day.course_run_id, is_active=True).exists():
        raise ValidationError(_("Only learners enrolled in this course run can sign up for its in-person day."))
    if day.is_cancelled:
        raise ValidationError(_("This in-person day is cancelled."))
    if day.starts_at <= timezone.now():
        raise ValidationError(_("This in-person day has started; sign-up is closed."))
    seat = day.seats.exclude(status=DaySeat.Status.CANCELLED).filter(learner=learner).first()
    if seat is not None:
        return seat
    signed_up = day.seats.filter(status=DaySeat.Status.SIGNED_UP).count()
    status = DaySeat.Status.SIGNED_UP if signed_up < day.capacity else DaySeat.Status.WAITING
    return DaySeat.objects.create(day=day, learner=learner, status=status)


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
    waiting = list(day.seats.filter(status=DaySeat.Status.WAITING).order_by("asked_at", "id")[:free])
    for seat in waiting:
        seat.status = DaySeat.Status.SIGNED_UP
        seat.promoted_at = now
        seat.save(update_fields=["status", "promoted_at"])
    return waiting
