"""Who is signed in, as PostgreSQL sees it: no health check before the session's read, and a dropped connection.

Pages here go through Django's WSGI handler, as under gunicorn: each request starts and ends with
Django's connection upkeep (request_started and request_finished), which the test client switches
off, on a persistent connection with health checks, as in production (tests.postgres_wire).
"""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, reset_queries
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onetouch.sessions import SESSION_SQL
from tests.postgres_wire import backend_terminate

pytestmark = pytest.mark.django_db(transaction=True)
MY_LEARNING = reverse("learners:my_learning")


@pytest.fixture
def signed_in_get(learner_hanoi):
    """GET a page through the WSGI handler with Hà Nội's learner's session; returns (status, body)."""
    client = Client()
    client.force_login(learner_hanoi)
    factory = RequestFactory()
    factory.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    handler = WSGIHandler()

    def get(url: str) -> tuple[int, str]:
        statuses = []
        response = handler(factory.get(url).environ, lambda status, headers: statuses.append(status))
        body = b"".join(response)
        response.close()  # request_finished: Django's connection upkeep at the end of a request
        return int(statuses[0].split()[0]), body.decode()

    return get


def test_a_signed_in_page_sends_no_health_check_before_reading_its_session(signed_in_get, counted_connection):
    """Every statement PostgreSQL receives is one the page ran, the session's read first: Django's
    SELECT 1 health check, which would go before it, is not sent (onetouch.connection_check)."""
    assert signed_in_get(MY_LEARNING)[0] == 200  # the page's caches are warm, as for a returning learner
    reset_queries()  # request_started empties the log: start from empty so the capture's slice holds this page
    before = counted_connection.statements
    with CaptureQueriesContext(connection) as queries:
        status, _body = signed_in_get(MY_LEARNING)
    assert status == 200
    assert queries.captured_queries[0]["sql"].startswith(SESSION_SQL.split("%s")[0])
    assert counted_connection.statements - before == len(queries.captured_queries)


def test_a_dropped_connection_between_two_signed_in_pages_fails_neither(signed_in_get, counted_connection):
    """The server ends the connection Django keeps: the next page finds it broken while reading the
    session, reads it again on a new connection, and is still signed in."""
    assert signed_in_get(MY_LEARNING)[0] == 200
    pid = connection.connection.get_backend_pid()  # psycopg2 knows it: no statement

    backend_terminate(pid, counted_connection.upstream)

    status, body = signed_in_get(MY_LEARNING)
    assert status == 200  # not a redirect to the sign-in page
    assert 'action="/accounts/logout/"' in body
    assert connection.connection.get_backend_pid() != pid
