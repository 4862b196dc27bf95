"""Shared setup of the check-in tests: learners signed up to the Hà Nội day, and the day moved to now."""

import datetime as dt

import pytest
from django.utils import timezone

from inperson.models import InPersonDay
from inperson.pure.codes import printable_code, rotating_code, step_at
from inperson.services.attendance import code_keys
from inperson.services.seats import seat_take
from learners.models import CourseCompletion, Enrolment
from learners.services.enrolments import enrolment_create
from tests.factories import learner_make


def learner_signed_up(day, course, commune, name: str):
    learner = learner_make(commune=commune)
    learner.full_name = name
    learner.save(update_fields=["full_name"])
    enrolment_create(learner=learner, course=course)
    seat_take(learner=learner, day=day)
    return learner


@pytest.fixture
def binh(day_hanoi, course_hanoi, commune_hanoi):
    return learner_signed_up(day_hanoi, course_hanoi, commune_hanoi, "Nguyễn Văn Bình")


@pytest.fixture
def cuc(day_hanoi, course_hanoi, commune_hanoi):
    return learner_signed_up(day_hanoi, course_hanoi, commune_hanoi, "Lê Thị Cúc")


def day_move(day, *, starts_in: dt.timedelta, lasts: dt.timedelta = dt.timedelta(hours=3)) -> InPersonDay:
    """Move the day's hours relative to now (seats are taken first: sign-up closes at the start)."""
    starts_at = timezone.now() + starts_in
    InPersonDay.objects.filter(id=day.id).update(
        starts_at=starts_at, ends_at=starts_at + lasts, cancellation_deadline=starts_at - dt.timedelta(hours=1)
    )
    day.refresh_from_db()
    return day


@pytest.fixture
def day_open(day_hanoi, binh, cuc):
    """The day started 30 minutes ago and ends in two and a half hours: check-in is open."""
    return day_move(day_hanoi, starts_in=-dt.timedelta(minutes=30))


def code_now(day, learner, at: dt.datetime | None = None) -> str:
    return rotating_code(keys=code_keys(), day_id=day.id, learner_id=learner.id, step=step_at(at or timezone.now()))


def code_printed(day, learner) -> str:
    return printable_code(keys=code_keys(), day_id=day.id, learner_id=learner.id)


def course_completed(learner, course) -> CourseCompletion:
    """Record the course completed online, as the completion service would."""
    enrolment = Enrolment.objects.get(learner=learner, course=course)
    return CourseCompletion.objects.create(
        enrolment=enrolment,
        learner=learner,
        course=course,
        course_run=enrolment.course_run,
        completed_at=timezone.now(),
    )
