"""Reads of in-person days: the studio's through the scope module, the learner's through their enrolment."""

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import Course, CourseRun, Partner
from inperson.models import DayChange, DaySeat, InPersonDay, Trainer
from learners.models import Enrolment
from onetouch import scope
from onetouch.models import User

SIGNED_UP = Q(in_person_day__seats__status=DaySeat.Status.SIGNED_UP)
WAITING = Q(in_person_day__seats__status=DaySeat.Status.WAITING)


def course_get_with_days(*, user: User, course_id: int) -> Course:
    """Return the course if the user may change it (else 404), with its runs, their days and seat counts."""
    runs = (
        CourseRun.objects.select_related("in_person_day__venue_commune", "in_person_day__province")
        .annotate(
            seats_signed_up=Count("in_person_day__seats", filter=SIGNED_UP),
            seats_waiting=Count("in_person_day__seats", filter=WAITING),
        )
        .order_by("starts_on", "id")
    )
    courses = Course.objects.select_related("owner_province").prefetch_related(Prefetch("runs", queryset=runs))
    return scope.get_changeable_or_404(courses, user, province_field="owner_province", id=course_id)


def course_run_get_for_day(*, user: User, run_id: int) -> CourseRun:
    """Return the run if the user may change its course's day, else 404."""
    runs = scope.filter_to_scope(
        CourseRun.objects.select_related("course__owner_province"), user, province_field="course__owner_province"
    )
    return get_object_or_404(runs, id=run_id)


def day_get_for_run(*, run: CourseRun) -> InPersonDay | None:
    """Return the run's day with what its page shows, or None when none is scheduled."""
    return (
        InPersonDay.objects.filter(course_run=run)
        .select_related("province", "venue_commune")
        .prefetch_related("partners", Prefetch("trainers", queryset=trainer_list()))
        .annotate(seats_signed_up=Count("seats", filter=Q(seats__status=DaySeat.Status.SIGNED_UP)))
        .first()
    )


def partner_list() -> QuerySet[Partner]:
    return Partner.objects.order_by("name")


def trainer_list() -> QuerySet[Trainer]:
    return Trainer.objects.select_related("user", "partner").order_by("partner__name", "user__full_name", "id")


def day_get_for_learner(*, learner: User, day_id: int, for_page: bool = True) -> InPersonDay:
    """Return the day if the learner is enrolled in its run (else 404), with what its page shows
    (`for_page=False`: the day alone, for a sign-up or a cancellation that the service checks again)."""
    if not learner.is_authenticated:
        raise Http404
    enrolled = Enrolment.objects.filter(learner=learner, course_run=OuterRef("course_run"), is_active=True)
    days = InPersonDay.objects.filter(Exists(enrolled))
    if for_page:
        days = (
            days.select_related("course_run__course", "province", "venue_commune")
            .prefetch_related("partners")
            .annotate(seats_signed_up=Count("seats", filter=Q(seats__status=DaySeat.Status.SIGNED_UP)))
        )
    return get_object_or_404(days, id=day_id)


def seat_get_for_learner(*, learner: User, day: InPersonDay) -> DaySeat | None:
    """Return the learner's active seat at the day, if any."""
    return day.seats.exclude(status=DaySeat.Status.CANCELLED).filter(learner=learner).first()


def seat_waiting_place(*, seat: DaySeat) -> int:
    """Return the seat's place on the waiting list: 1 is the next to be given a freed seat."""
    ahead = Q(asked_at__lt=seat.asked_at) | Q(asked_at=seat.asked_at, id__lt=seat.id)
    return DaySeat.objects.filter(ahead, day_id=seat.day_id, status=DaySeat.Status.WAITING).count() + 1


# --- The partner trainer's days: only those they are attached to -----------------------------------


def day_list_for_trainer(*, user: User) -> QuerySet[InPersonDay]:
    """Return the days the user teaches at (none for anyone who is not a trainer), soonest first."""
    return (
        InPersonDay.objects.filter(trainers__user_id=user.id)
        .select_related("course_run__course", "province", "venue_commune")
        .annotate(
            seats_signed_up=Count("seats", filter=Q(seats__status=DaySeat.Status.SIGNED_UP)),
            seats_waiting=Count("seats", filter=Q(seats__status=DaySeat.Status.WAITING)),
        )
        .order_by("starts_at", "id")
    )


def day_get_for_trainer(*, user: User, day_id: int) -> InPersonDay:
    """Return one of the user's days, else 404 (another trainer's day looks missing)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(day_list_for_trainer(user=user), id=day_id)


def roster_for_day(*, day: InPersonDay) -> QuerySet[DaySeat]:
    """Return the day's learners signed up, then those waiting in order, with name and commune."""
    return (
        day.seats.filter(status__in=[DaySeat.Status.SIGNED_UP, DaySeat.Status.WAITING])
        .select_related("learner__profile__commune")
        .order_by(Case(When(status=DaySeat.Status.SIGNED_UP, then=0), default=1), "asked_at", "id")
    )


# --- A day's history, as the studio shows it ------------------------------------------------------


@dataclass(frozen=True)
class DayHistoryRow:
    change: DayChange
    field_labels: list[str]


def day_history(*, day: InPersonDay) -> list[DayHistoryRow]:
    """Return the day's changes, newest first, each with the names of the fields it changed."""
    changes = day.changes.select_related("by").order_by("-at", "-id")
    return [
        DayHistoryRow(change=change, field_labels=[field_label(name) for name in change.changed_fields])
        for change in changes
    ]


def field_label(name: str) -> str:
    return str(InPersonDay._meta.get_field(name).verbose_name)
