"""Scheduling, changing and cancelling a run's in-person day.

Who may: the admins of the course's owning province, and ministry staff for any course (for a
national course they choose the province where the day is held); decided by onetouch.scope only.
Every write locks the day (or, for a new day, the run), checks every rule, saves, and records a
DayChange in the same transaction; a refusal raises a translated ValidationError and writes nothing.
"""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.models import CourseRun, Partner
from inperson.models import DayChange, DaySeat, InPersonDay, Trainer
from inperson.pure.schedule import TimeProblem, day_time_problems
from inperson.services.seats import seats_promote
from onetouch import scope
from onetouch.jobs import task_queue_on_commit
from onetouch.models import Commune, Province, User

# What learners signed up must be told about when it changes (issue 15, part 1).
TOLD_FIELDS = frozenset({"starts_at", "ends_at", "venue_name", "venue_address", "venue_commune"})


@transaction.atomic
def day_schedule(
    *,
    by: User,
    course_run: CourseRun,
    province: Province | None,
    venue_name: str,
    venue_address: str,
    venue_commune: Commune,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    cancellation_deadline: datetime,
    partners: Iterable[Partner] = (),
    trainers: Iterable[Trainer] = (),
) -> InPersonDay:
    """Schedule the run's one in-person day."""
    # The run's lock makes a second, concurrent schedule wait and then find the first day.
    course_run = CourseRun.objects.select_for_update(of=("self",)).select_related("course").get(id=course_run.id)
    province = day_province_check(by=by, course_run=course_run, province=province)
    if run_has_day(course_run):
        raise ValidationError(_("This course run already has its in-person day; change that day instead."))
    day = InPersonDay(course_run=course_run, created_by=by)
    fields = {
        "province": province,
        "venue_name": venue_name.strip(),
        "venue_address": venue_address.strip(),
        "venue_commune": venue_commune,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "cancellation_deadline": cancellation_deadline,
    }
    partners, trainers = list(partners), list(trainers)
    day_rules_check(day=day, fields=fields, partners=partners, trainers=trainers, signed_up=0)
    for name, value in fields.items():
        setattr(day, name, value)
    day.updated_by = by
    day.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            day.save()
    except IntegrityError as error:
        # The database's one-day-per-run constraint, met by a writer that did not take the run's lock.
        if not run_has_day(course_run):
            raise
        raise ValidationError(_("This course run already has its in-person day; change that day instead.")) from error
    day.partners.set(partners)
    day.trainers.set(trainers)
    DayChange.objects.create(day=day, kind=DayChange.Kind.SCHEDULED, by=by)
    return day


@transaction.atomic
def day_change(
    *,
    by: User,
    day: InPersonDay,
    province: Province | None,
    venue_name: str,
    venue_address: str,
    venue_commune: Commune,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    cancellation_deadline: datetime,
    partners: Iterable[Partner] = (),
    trainers: Iterable[Trainer] = (),
    reason: str = "",
) -> InPersonDay:
    """Change the day; a change of date or venue is recorded for everyone signed up to be told."""
    day = day_lock(day)
    day_open_check(by=by, day=day)
    province = day_province_check(by=by, course_run=day.course_run, province=province)
    fields = {
        "province": province,
        "venue_name": venue_name.strip(),
        "venue_address": venue_address.strip(),
        "venue_commune": venue_commune,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "cancellation_deadline": cancellation_deadline,
    }
    partners, trainers = list(partners), list(trainers)
    signed_up = day.seats.filter(status=DaySeat.Status.SIGNED_UP).count()
    day_rules_check(day=day, fields=fields, partners=partners, trainers=trainers, signed_up=signed_up)

    previous = {name: value_text(getattr(day, name)) for name, value in fields.items() if getattr(day, name) != value}
    old_partners, old_trainers = set(day.partners.all()), set(day.trainers.all())
    if set(partners) != old_partners:
        previous["partners"] = sorted(str(partner) for partner in old_partners)
    if set(trainers) != old_trainers:
        previous["trainers"] = sorted(str(trainer) for trainer in old_trainers)
    if not previous:
        return day

    for name, value in fields.items():
        setattr(day, name, value)
    day.updated_by = by
    day.full_clean(validate_unique=False, validate_constraints=False)
    day.save(update_fields=[*fields, "updated_by", "updated_at"])
    day.partners.set(partners)
    day.trainers.set(trainers)
    if capacity > signed_up:
        seats_promote(day=day, free=capacity - signed_up)
    change = DayChange.objects.create(
        day=day,
        kind=DayChange.Kind.CHANGED,
        previous_values=previous,
        reason=reason.strip(),
        tells_learners=bool(TOLD_FIELDS & previous.keys()),
        by=by,
    )
    if change.tells_learners:
        task_queue_on_commit("inperson.tasks.day_notices_send")
    return day


@transaction.atomic
def day_cancel(*, by: User, day: InPersonDay, reason: str) -> InPersonDay:
    """Cancel the day; its row, seats and history stay, and everyone signed up is to be told."""
    day = day_lock(day)
    day_open_check(by=by, day=day)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling: the learners signed up will read it.")})
    day.cancelled_at = timezone.now()
    day.cancel_reason = reason
    day.updated_by = by
    day.save(update_fields=["cancelled_at", "cancel_reason", "updated_by", "updated_at"])
    DayChange.objects.create(day=day, kind=DayChange.Kind.CANCELLED, reason=reason, tells_learners=True, by=by)
    task_queue_on_commit("inperson.tasks.day_notices_send")
    return day


# --- The rules shared by the three writes ---------------------------------------------------------


def run_has_day(course_run: CourseRun) -> bool:
    return InPersonDay.objects.filter(course_run=course_run).exists()


def day_lock(day: InPersonDay) -> InPersonDay:
    """Return the day read again under its row lock (seat sign-ups take the same lock)."""
    return InPersonDay.objects.select_for_update(of=("self",)).select_related("course_run__course").get(id=day.id)


def day_open_check(*, by: User, day: InPersonDay) -> None:
    """Refuse a change by someone out of scope, of a cancelled day, or of a day that has started."""
    if not scope.can_change(by, day.course_run.course.owner_province_id):
        raise ValidationError(_("You may not change the in-person day of this course."))
    if day.is_cancelled:
        raise ValidationError(_("This in-person day is cancelled; it can no longer be changed."))
    if day.starts_at <= timezone.now():
        raise ValidationError(_("This in-person day has started; it can no longer be changed."))


def day_province_check(*, by: User, course_run: CourseRun, province: Province | None) -> Province:
    """Return the province where the run's day is held, if `by` may schedule it there."""
    course = course_run.course
    if not scope.can_change(by, course.owner_province_id):
        raise ValidationError(_("You may not change the in-person day of this course."))
    if course.owner_province_id is not None:
        if province is not None and province.id != course.owner_province_id:
            raise ValidationError(
                {"province": _("The day of a provincial course is held in the course's own province.")}
            )
        return course.owner_province
    if province is None:
        raise ValidationError({"province": _("Choose the province where the day is held.")})
    return province


def day_rules_check(
    *, day: InPersonDay, fields: dict, partners: list[Partner], trainers: list[Trainer], signed_up: int
) -> None:
    """Raise one ValidationError naming every field that breaks a rule of the day."""
    run = day.course_run
    errors: dict[str, list[str]] = {}
    if not fields["venue_name"]:
        errors.setdefault("venue_name", []).append(_("Give the name of the venue."))
    if not fields["venue_address"]:
        errors.setdefault("venue_address", []).append(_("Give the address of the venue."))
    if fields["venue_commune"].province_id != fields["province"].id:
        message = _("The venue's commune must be in %(province)s, where the day is held.")
        errors.setdefault("venue_commune", []).append(message % {"province": fields["province"].name})
    time_messages = {
        TimeProblem.NOT_AWARE: _("Give the time with its time zone."),
        TimeProblem.ENDS_NOT_AFTER_START: _("The day must end after it starts."),
        TimeProblem.TWO_CALENDAR_DAYS: _("The day must start and end on the same calendar day."),
        TimeProblem.OUTSIDE_RUN: _("The day must fall within the run's dates, %(start)s to %(end)s.")
        % {"start": formats.date_format(run.starts_on), "end": formats.date_format(run.ends_on)},
        TimeProblem.DEADLINE_AFTER_START: _("The cancellation deadline must be no later than the start of the day."),
    }
    problems = day_time_problems(
        starts_at=fields["starts_at"],
        ends_at=fields["ends_at"],
        cancellation_deadline=fields["cancellation_deadline"],
        run_starts_on=run.starts_on,
        run_ends_on=run.ends_on,
        zone=ZoneInfo(settings.TIME_ZONE),
    )
    for name, problem in problems.items():
        errors.setdefault(name, []).append(time_messages[problem])
    if "starts_at" not in problems and fields["starts_at"].utcoffset() is not None:
        if fields["starts_at"] <= timezone.now():
            errors.setdefault("starts_at", []).append(_("The day must start in the future."))
    if fields["capacity"] < 1:
        errors.setdefault("capacity", []).append(_("The capacity must be at least 1."))
    elif fields["capacity"] < signed_up:
        message = ngettext(
            "The capacity cannot be below the %(count)d learner already signed up.",
            "The capacity cannot be below the %(count)d learners already signed up.",
            signed_up,
        )
        errors.setdefault("capacity", []).append(message % {"count": signed_up})
    partner_ids = {partner.id for partner in partners}
    for trainer in trainers:
        if trainer.partner_id not in partner_ids:
            message = _("%(trainer)s teaches for %(partner)s, which is not among the day's partners.")
            errors.setdefault("trainers", []).append(
                message % {"trainer": trainer.user, "partner": trainer.partner.name}
            )
    if errors:
        raise ValidationError(errors)


def value_text(value) -> str:
    """Return a field's value as the history keeps it: ISO time in Vietnam, or the row's name."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return str(value)
