"""The heartbeat as PostgreSQL sees it: statements counted on the wire, and a dropped connection.

Heartbeats here go through Django's WSGI handler, as under gunicorn: each request starts and ends
with Django's connection upkeep (request_started and request_finished), which the test client
switches off, and the connection is persistent with health checks, as in production. The default
connection goes through tests.postgres_wire.StatementCountingProxy, which counts the statements
the server receives, Django's health check included.
"""

import json

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory

from learners.models import LessonProgress
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, enrolments_bulk_make, seconds_pass, video_lesson_make
from tests.postgres_wire import backend_terminate

pytestmark = pytest.mark.django_db(transaction=True)

HEARTBEAT_URL = "/learning/heartbeat/"


@pytest.fixture
def watching(learner_hue, province_hue):
    """Huế's learner has a ten-minute video's page open, with two minutes' allowance; returns (progress, post)."""
    course = course_make(province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    lesson = video_lesson_make(course=course, duration=600.0)
    factory = RequestFactory()
    handler = WSGIHandler()
    client = Client()
    client.force_login(learner_hue)
    html = client.get(f"/learning/courses/{course.slug}/{lesson.id}/").content.decode()
    token = html.split('data-token="', 1)[1].split('"', 1)[0]
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    seconds_pass(progress, 120)

    def post(report: dict, token: str = token) -> tuple[int, dict | bytes]:
        """Send a heartbeat through the WSGI handler, as gunicorn would; return its status and answer.

        With the page's token, unless another is given (an answer's, as the player sends)."""
        factory.cookies[settings.SESSION_COOKIE_NAME] = session_key
        request = factory.post(HEARTBEAT_URL, json.dumps({"token": token, **report}), content_type="text/plain")
        statuses = []
        response = handler(request.environ, lambda status, headers: statuses.append(status))
        body = b"".join(response)
        response.close()  # request_finished: Django's connection upkeep at the end of a request
        status = int(statuses[0].split()[0])
        return status, json.loads(body) if response["Content-Type"] == "application/json" else body

    return progress, post


def test_the_proxy_counts_what_the_server_receives(counted_connection):
    """The yardstick itself: one statement sent, one counted; a transaction's BEGIN and COMMIT count too."""
    from django.db import transaction

    before = counted_connection.statements
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert counted_connection.statements - before == 1
    before = counted_connection.statements
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert counted_connection.statements - before == 3


@pytest.mark.parametrize(
    ("client_kind", "expected"),
    [("the player, with each answer's token", [4, 2, 1, 1]), ("a client keeping the page's token", [4, 2, 2, 2])],
)
def test_a_heartbeat_sends_postgresql_its_statements_alone_at_any_data_size(
    watching, counted_connection, client_kind, expected
):
    """The player sends each report with the last answer's token: after the page's first report
    (a SELECT and an UPDATE), one conditional UPDATE and nothing else. A client that keeps the
    page's token (written before answers carried one): the SELECT and the UPDATE each time. Never a
    health check in front, on a connection kept between requests (each statement prepared by its
    first use on the connection, docs/decisions/0031); the same with many more learners, progress
    rows and sessions in the tables."""
    progress, post = watching
    follows_answers = client_kind.startswith("the player")
    counts, token = [], {}
    for second in range(0, 40, 10):
        if second == 30:
            enrolments_bulk_make([progress.lesson.course], learner_count=300)
        before = counted_connection.statements
        status, answer = post({"intervals": [[second, second + 10]], "position": second + 10}, **token)
        assert status == 200, answer
        counts.append(counted_connection.statements - before)
        if follows_answers:
            token = {"token": answer["token"]}

    assert counts == expected
    progress.refresh_from_db()
    assert progress.watched_seconds == 40.0


def test_a_dropped_connection_between_two_heartbeats_fails_neither(watching, counted_connection):
    """The server ends the connection Django keeps (a restart, a proxy's timeout): the next
    heartbeat finds it broken, runs its read again on a new connection, and is recorded."""
    progress, post = watching
    assert post({"intervals": [[0, 10]], "position": 10})[0] == 200
    pid = connection.connection.get_backend_pid()  # psycopg2 knows it: no statement

    backend_terminate(pid, counted_connection.upstream)

    status, answer = post({"intervals": [[10, 20]], "position": 20})
    assert status == 200, answer
    progress.refresh_from_db()
    assert progress.watched_seconds == 20.0
    assert connection.connection.get_backend_pid() != pid


def test_a_dropped_connection_before_a_report_with_the_answer_s_token_fails_nothing(watching, counted_connection):
    """That report's first statement is its conditional UPDATE: on a broken connection it runs again
    on a new one (it cannot apply twice), and is recorded."""
    progress, post = watching
    status, answer = post({"intervals": [[0, 10]], "position": 10})
    assert status == 200
    pid = connection.connection.get_backend_pid()

    backend_terminate(pid, counted_connection.upstream)

    status, answer = post({"intervals": [[10, 20]], "position": 20}, token=answer["token"])
    assert status == 200, answer
    progress.refresh_from_db()
    assert progress.watched_seconds == 20.0
    assert connection.connection.get_backend_pid() != pid
