"""schemathesis against /api/schema/: every GET operation, with a valid key, answers no 5xx and only what the
schema says (status codes, content types, bodies).

In process through the WSGI application, with a few examples per operation so the suite stays fast.
The data holds a course, enrolments, a completion with a certificate and one revoked, so the lists
have rows to check against the schema. Runs on a transactional database: the completions feed shows
only what finished transactions wrote.
"""

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

from learners.models import Certificate
from learners.services.certificates import certificate_revoke
from tests.api.conftest import with_key
from tests.api.test_completions import complete, events_readable_wait
from tests.factories import course_make, learner_make

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


# Loaded at collection through the application itself (the schema reads no table).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).include(method="GET")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=True)
def test_every_get_operation_keeps_to_the_schema(case, ministry_key):
    # identity: the in-process WSGI client does not undo the site's gzip.
    headers = {"Authorization": f"Bearer {ministry_key}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)
