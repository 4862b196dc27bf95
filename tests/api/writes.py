"""Helpers of the write endpoints' tests: runs in each scope, a body naming officials, a post with a key,
in-person days and their learners."""

import datetime as dt
import uuid

from django.utils import timezone
from rest_framework.test import APIClient

from courses.models import CourseRun
from inperson.models import InPersonDay
from inperson.services.seats import seat_take
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, learner_make
from tests.inperson.checkin_setup import day_move


def run_make(*, province=None, title: str = "Đợt 1") -> CourseRun:
    course = course_make(title=f"Khóa {title}", province=province)
    return CourseRun.objects.create(course=course, title=title, starts_on="2026-01-05", ends_on="2027-06-30")


def official(number: int, *, commune: str, email: str | None = None, phone: str = "") -> dict:
    return {
        "full_name": f"Cán bộ {number}",
        "email": f"can.bo.{number}@example.vn" if email is None else email,
        "phone": phone,
        "audience_group": "civil_servant",
        "commune": commune,
    }


def enrolment_body(run_id: int, people: list[dict]) -> dict:
    return {"course_run": run_id, "people": people}


def enrol(client: APIClient, body: dict, *, key: str | None = None, language: str = "vi"):
    """POST /api/v1/enrolments/ with an Idempotency-Key (a new one unless given)."""
    return client.post(
        "/api/v1/enrolments/",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
        HTTP_ACCEPT_LANGUAGE=language,
    )


def enrolled(day: InPersonDay, commune, email: str):
    learner = learner_make(commune=commune, email=email)
    enrolment_create(learner=learner, course=day.course_run.course, course_run=day.course_run)
    return learner


def signed_up(day: InPersonDay, commune, email: str):
    """A learner enrolled and signed up through the services (sign-up closes at the start: the day is
    moved ahead for it, then back)."""
    learner = enrolled(day, commune, email)
    starts_in = day.starts_at - timezone.now()
    day_move(day, starts_in=dt.timedelta(days=1))
    seat_take(learner=learner, day=day)
    day_move(day, starts_in=starts_in)
    return learner
