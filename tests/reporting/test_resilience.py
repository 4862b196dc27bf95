"""The statistics survive a worker killed mid-fold and a Redis that is down.

The event log in PostgreSQL is the source: whatever happens to a fold or to Redis, the summary
counts end up equal to the events, each counted once.
"""

import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from courses.models import Lesson
from learners.models import Certificate, CourseCompletion, Enrolment, LearningEvent, LessonProgress
from learners.services.enrolments import enrolment_create
from learners.services.progress import lesson_complete_manually
from learners.tasks import certificates_missing_issue as certificates_missing_issue_task
from onetouch.celery import app as celery_app
from reporting.models import COUNTED_KINDS, SummaryTotal
from reporting.services.fold import statistics_fold
from reporting.services.rebuild import statistics_rebuild
from reporting.tasks import statistics_fold as statistics_fold_task
from tests.factories import course_make, lesson_make
from tests.reporting.test_services_fold import counts, events_foldable_wait, kind_totals, nonzero

# Folds count only committed transactions, and the child process must see the test's data.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens here: the address of a Redis that is down.
REDIS_DOWN_URL = "redis://127.0.0.1:6390/0"

# Folds, reports what it counted, then holds its transaction open until it is killed.
FOLD_AND_HANG = """
import time
import django
django.setup()
from django.db import transaction
from reporting.services.fold import statistics_fold
with transaction.atomic():
    print(statistics_fold().events, flush=True)
    time.sleep(120)
"""


def event_totals() -> Counter:
    """What the summary should say: each event of a counted kind once, by kind."""
    return Counter(LearningEvent.objects.filter(kind__in=COUNTED_KINDS).values_list("kind", flat=True))


def database_url() -> str:
    """The URL of the test database this test runs on, for another process."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def fold_in_a_process_left_hanging() -> tuple[subprocess.Popen, int]:
    """Start a real process that folds inside a transaction it never commits; return it and what it counted."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onetouch.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
    }
    child = subprocess.Popen(
        [sys.executable, "-c", FOLD_AND_HANG], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
    )
    ready, _, _ = select.select([child.stdout], [], [], 60)
    if not ready:
        child.kill()
        raise AssertionError("The folding process did not report within 60 s")
    return child, int(child.stdout.readline())


def test_a_worker_killed_mid_fold_loses_and_doubles_nothing(learner_hanoi, learner_hue):
    """SIGKILL during a fold's transaction leaves no partial sums; the next fold counts every event once."""
    course = course_make()
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT, is_required=False)
    lesson_make(course=course, kind=Lesson.Kind.TEXT, title="Bài bắt buộc")
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    events_foldable_wait()

    child, counted_by_child = fold_in_a_process_left_hanging()
    try:
        assert counted_by_child == 5  # two enrolled, two learner_joined, one lesson_completed
        assert statistics_fold(wait=False).skipped  # the child is mid-fold: it holds the lock
        assert not SummaryTotal.objects.exists()  # and its sums are not committed
        enrolment_create(learner=learner_hue, course=course_make())  # written while it hangs
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    events_foldable_wait()

    result = statistics_fold()  # waits for PostgreSQL to end the dead process's transaction

    assert result.events == LearningEvent.objects.count() == 6
    assert kind_totals() == event_totals()
    folded = counts()
    assert statistics_fold().events == 0
    assert counts() == folded
    assert statistics_rebuild().events == 6
    assert counts() == folded


@contextmanager
def redis_down():
    """Point the cache and the Celery broker at a Redis that does not answer, then back.

    The shared Redis server cannot be stopped; the app is shown the address of one that is down.
    """
    conf = celery_app.conf
    saved_broker_url = conf.broker_url
    cache_down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_DOWN_URL}}
    conf.broker_url = REDIS_DOWN_URL
    broker_pools_forget()
    try:
        with override_settings(CACHES=cache_down, CELERY_BROKER_URL=REDIS_DOWN_URL):
            yield
    finally:
        conf.broker_url = saved_broker_url
        broker_pools_forget()


def broker_pools_forget() -> None:
    """Make Celery take its broker connections from the pool of its current broker URL."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_redis_down_learning_works_and_the_figures_catch_up_after(client, request, learner_hanoi):
    """Without Redis, pages, enrolling and lessons work and the events are kept; back, the worker counts them."""
    course = course_make()
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT, is_required=False, body_html="<p>Nội dung</p>")
    lesson_make(course=course, kind=Lesson.Kind.TEXT, title="Bài bắt buộc")  # keeps the course unfinished
    client.force_login(learner_hanoi)

    with redis_down():
        with pytest.raises(RedisConnectionError):
            cache.get("anything")  # the cache really is unreachable
        page = client.get(course.get_absolute_url())
        enrolled = client.post(reverse("learners:enrol", args=[course.slug]))
        opened = client.get(reverse("learners:lesson", args=[course.slug, lesson.id]))
        completed = client.post(reverse("learners:lesson_complete", args=[course.slug, lesson.id]))

    assert (page.status_code, enrolled.status_code, opened.status_code, completed.status_code) == (200, 302, 200, 302)
    assert Enrolment.objects.filter(learner=learner_hanoi, course=course, is_active=True).exists()
    assert LessonProgress.objects.get(learner=learner_hanoi, lesson=lesson).completed_at is not None
    written = event_totals()
    assert written == Counter(enrolled=1, learner_joined=1)
    assert LearningEvent.objects.filter(kind="lesson_completed").count() == 1

    request.getfixturevalue("celery_worker_running")  # Redis is back: the worker starts
    events_foldable_wait()
    statistics_fold_task.delay()

    kind_totals_wait(written)
    national = SummaryTotal.objects.filter(grain="month", province_id=-1, commune_id=-1, course_id=-1)
    assert [nonzero(row) for row in national] == [dict(written)]


def test_with_redis_down_completing_a_course_works_and_the_certificate_follows(client, request, learner_hanoi):
    """Without Redis the lesson that completes a course completes it with no error; back, the sweep issues it."""
    course = course_make()
    lesson = lesson_make(course=course, kind=Lesson.Kind.TEXT, body_html="<p>Nội dung</p>")
    enrolment_create(learner=learner_hanoi, course=course)
    client.force_login(learner_hanoi)

    with redis_down():
        completed = client.post(reverse("learners:lesson_complete", args=[course.slug, lesson.id]))

    assert completed.status_code == 302
    assert LearningEvent.objects.filter(learner=learner_hanoi, kind=LearningEvent.Kind.COURSE_COMPLETED).exists()
    completion = CourseCompletion.objects.get(learner=learner_hanoi, course=course)
    assert not Certificate.objects.filter(completion=completion).exists()  # its job could not be queued

    request.getfixturevalue("celery_worker_running")  # Redis is back: the worker starts
    CourseCompletion.objects.filter(id=completion.id).update(completed_at=timezone.now() - timedelta(minutes=10))
    certificates_missing_issue_task.delay()

    deadline = time.monotonic() + 60
    while not Certificate.objects.filter(completion=completion).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Certificate.objects.filter(completion=completion).count() == 1


def kind_totals_wait(expected: Counter, *, timeout: float = 60) -> None:
    """Wait for the worker's fold to bring the summary to the expected totals."""
    deadline = time.monotonic() + timeout
    while kind_totals() != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kind_totals() == expected
