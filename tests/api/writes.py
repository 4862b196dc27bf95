"""Helpers of the write endpoints' tests: runs in each scope, a body naming officials, a post with a key."""

import uuid

from rest_framework.test import APIClient

from courses.models import CourseRun
from tests.factories import course_make


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
