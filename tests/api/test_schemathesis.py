"""schemathesis against /api/schema/: every GET and every POST operation, with a valid key, answers no 5xx and
only what the schema says (status codes, content types, bodies).

In process through the WSGI application, with a few examples per operation so the suite stays fast.
The data holds a course, enrolments, a completion with a certificate and one revoked, and an in-person
day with its roster, so the lists have rows to check against the schema; every other example names
that day (or its run), so valid requests reach the services. Each POST example is a new operation
(a fresh Idempotency-Key). Runs on a transactional database: the completions feed shows only what
finished transactions wrote.
"""

import itertools
import uuid

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from inperson.models import InPersonDay
from inperson.services.attendance import attendance_tick
from learners.models import Certificate
from learners.services.certificates import certificate_revoke
from tests.api.conftest import with_key
from tests.api.test_completions import complete, events_readable_wait
from tests.api.writes import run_make, signed_up
from tests.factories import course_make, day_make, learner_make

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def ministry_key(keys, api_client, ministry_staff, commune_hanoi, commune_hue, province_hue) -> str:
    """The ministry's key, after some learners completed courses (one certificate revoked)."""
    national = course_make(title="Kỹ năng số cơ bản")
    hue_course = course_make(title="Du lịch số Huế", province=province_hue)
    complete(learner_make(commune=commune_hanoi), national)
    revoked = complete(learner_make(commune=commune_hue), hue_course)
    certificate_revoke(
        certificate=Certificate.objects.get(completion=revoked), by=ministry_staff, reason="Cấp nhầm người"
    )
    complete(learner_make(commune=commune_hue), national, certificate=False)
    events_readable_wait()
    # A first call writes the key's "last used"; then the feed has rows to read.
    assert with_key(api_client, keys["ministry"]).get("/api/v1/completions/").json()["results"]
    return keys["ministry"]


@pytest.fixture
def a_day(admin_hanoi, commune_hanoi, province_hanoi) -> InPersonDay:
    """A Hà Nội run's day with check-in open, two learners signed up and one of them ticked present."""
    day = day_make(run_make(province=province_hanoi, title="Hà Nội"), commune_hanoi, admin_hanoi)
    present = signed_up(day, commune_hanoi, "co.mat@example.vn")
    signed_up(day, commune_hanoi, "chua.den@example.vn")
    attendance_tick(by=admin_hanoi, day=day, learner=present)
    return day


# Every other example names the data set's day or run, so valid requests reach the selectors and the
# services; the others keep what the generator chose (mostly ids that do not exist: 404).
examples = itertools.count()


def aimed_at(case, day: InPersonDay) -> None:
    if next(examples) % 2:
        return
    if "day_id" in (case.path_parameters or {}):
        case.path_parameters["day_id"] = day.id
    if isinstance(case.body, dict) and "course_run" in case.body:
        case.body["course_run"] = day.course_run_id


# identity: the in-process WSGI client does not undo the site's gzip.
HEADERS = {"Accept-Encoding": "identity"}

# Loaded at collection through the application itself (the schema reads no table).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.include(method="GET").parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=True)
def test_every_get_operation_keeps_to_the_schema(case, ministry_key, a_day):
    aimed_at(case, a_day)
    case.call_and_validate(headers=HEADERS | {"Authorization": f"Bearer {ministry_key}"}, checks=CHECKS)


@schema.include(method="POST").parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=True)
def test_every_post_operation_keeps_to_the_schema(case, keys, a_day):
    """Each example a new operation (a fresh Idempotency-Key), with the ministry's key: enrolments into the
    day's run (people refused, enrolled or invited) and its attendance (marks refused or applied)."""
    headers = HEADERS | {"Authorization": f"Bearer {keys['ministry']}", "Idempotency-Key": str(uuid.uuid4())}
    aimed_at(case, a_day)
    case.call_and_validate(headers=headers, checks=CHECKS)
