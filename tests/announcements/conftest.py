"""Courses of Hà Nội and Huế with a run ending soon, and their learners."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.services.catalogue import course_run_create
from learners.models import Enrolment
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, learner_make


def run_make(course, *, started_days_ago: int = 30, ends_in_days: int = 10, title: str = "Đợt 1"):
    today = timezone.localdate()
    return course_run_create(
        course=course,
        title=title,
        starts_on=today - dt.timedelta(days=started_days_ago),
        ends_on=today + dt.timedelta(days=ends_in_days),
    )


def enrolled_long_ago(learner, course, *, days: int = 20) -> Enrolment:
    """Enrol the learner (as the site does), then date the enrolment `days` ago: they have done nothing since."""
    enrolment = enrolment_create(learner=learner, course=course)
    Enrolment.objects.filter(id=enrolment.id).update(enrolled_at=timezone.now() - dt.timedelta(days=days))
    enrolment.refresh_from_db()
    return enrolment


@pytest.fixture
def course_hanoi(province_hanoi):
    return course_make(title="Thanh toán số", province=province_hanoi)


@pytest.fixture
def run_hanoi(course_hanoi):
    return run_make(course_hanoi)


@pytest.fixture
def course_hue(province_hue):
    return course_make(title="Chữ ký số", province=province_hue)


@pytest.fixture
def run_hue(course_hue):
    return run_make(course_hue, title="Đợt Huế")


@pytest.fixture
def course_national(admin_units):
    return course_make(title="Dịch vụ công trực tuyến", province=None)


@pytest.fixture
def learners_hanoi(commune_hanoi, run_hanoi, course_hanoi):
    """Three Hà Nội learners enrolled in the Hà Nội course's run."""
    learners = [learner_make(commune=commune_hanoi) for _ in range(3)]
    for learner in learners:
        enrolment_create(learner=learner, course=course_hanoi)
    return learners
