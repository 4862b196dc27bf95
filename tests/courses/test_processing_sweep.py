"""The sweep for lost processing jobs: real PostgreSQL, the real Redis broker and a real Celery worker.

A lesson's job is lost when the broker was down at upload (onetouch.jobs logs and drops it) or when
the worker running it died. The sweep queues such lessons again; a lesson whose job is merely recent,
or running, or whose processing is over, is left alone, and a second copy of a job never encodes a
file twice.
"""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone

from courses.models import Lesson
from courses.services.materials import (
    LOST_PROCESSING_PER_SWEEP,
    PROCESSING_STALE_AFTER,
    lesson_process,
    lesson_processing_claim,
    lesson_source_upload,
    lessons_unprocessed_requeue,
)
from courses.services.structure import lesson_create, module_create
from courses.tasks import lesson_process as lesson_process_task
from courses.tasks import lessons_unprocessed_requeue as lessons_unprocessed_requeue_task
from onetouch.celery import app as celery_app
from onetouch.queues import MEDIA
from tests import fixtures_media as media
from tests.factories import course_make, lesson_make, lesson_wait
from tests.reporting.test_resilience import redis_down

pytestmark = pytest.mark.django_db(transaction=True)

PROCESS = "courses.tasks.lesson_process"


@pytest.fixture
def broker_queue():
    """The real broker's media queue, emptied of other tests' messages; no worker takes from it."""
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(MEDIA)
    yield
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(MEDIA)


@pytest.fixture
def module():
    return module_create(course=course_make(is_published=False), title="Phần 1")


def queued_jobs() -> list[tuple[str, tuple]]:
    """Take every message waiting in the broker's media queue; return each one's task name and arguments."""
    jobs = []
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        while (message := channel.basic_get(MEDIA, no_ack=True)) is not None:
            args, _kwargs, _embed = message.decode()
            jobs.append((message.headers["task"], tuple(args)))
    return jobs


def waiting_lesson_make(
    module, *, title: str = "Trình chiếu", processing: str = Lesson.Processing.PROCESSING, **fields
) -> Lesson:
    """A slides lesson as an upload leaves it: PROCESSING its stored file (never read: no worker runs)."""
    return lesson_make(
        course=module.course,
        module=module,
        kind=Lesson.Kind.SLIDES,
        title=title,
        is_published=False,
        processing=processing,
        source=f"lessons/{module.course_id}/slides-{title}.pdf",
        **fields,
    )


def changed_ago(lesson: Lesson, delay: timedelta) -> None:
    """Make the lesson's last change `delay` old, as if that much time went by since."""
    Lesson.objects.filter(id=lesson.id).update(updated_at=timezone.now() - delay)


def media_folders(root: Path, lesson: Lesson) -> list[str]:
    folder = root / "lessons" / str(lesson.course_id) / str(lesson.id)
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("media-")) if folder.exists() else []


# --- Which lessons the sweep queues -------------------------------------------------------------


def test_lesson_waiting_longer_than_the_delay_is_queued_and_a_recent_one_is_not(module, broker_queue, settings):
    """Of two lessons never started, only the one unchanged for longer than the delay is queued again."""
    settings.LESSON_PROCESSING_RETRY_AFTER_S = 900
    old = waiting_lesson_make(module, title="Cũ")
    recent = waiting_lesson_make(module, title="Mới")
    changed_ago(old, timedelta(seconds=901))
    changed_ago(recent, timedelta(seconds=600))

    queued = lessons_unprocessed_requeue()

    assert queued == 1
    assert queued_jobs() == [(PROCESS, (old.id,))]
    assert Lesson.objects.get(id=recent.id).processing == Lesson.Processing.PROCESSING


def test_second_sweep_soon_after_queues_nothing_more(module, broker_queue):
    """Queuing counts as a change: a sweep ten minutes later leaves the job waiting in the queue alone."""
    lesson = waiting_lesson_make(module)
    changed_ago(lesson, timedelta(hours=1))

    assert lessons_unprocessed_requeue() == 1
    Lesson.objects.filter(id=lesson.id).update(updated_at=F("updated_at") - timedelta(minutes=10))  # time goes by
    assert lessons_unprocessed_requeue() == 0

    assert queued_jobs() == [(PROCESS, (lesson.id,))]


def test_lessons_whose_processing_is_over_or_not_needed_are_untouched(module, broker_queue):
    """Ready, failed, waiting-for-a-file and text lessons, however old, are neither queued nor changed."""
    lessons = [
        waiting_lesson_make(module, title="Xong", processing=Lesson.Processing.READY, page_count=2),
        waiting_lesson_make(module, title="Lỗi", processing=Lesson.Processing.FAILED, processing_error="Hỏng"),
        lesson_make(
            course=module.course,
            module=module,
            kind=Lesson.Kind.VIDEO,
            is_published=False,
            processing=Lesson.Processing.WAITING,
        ),
        lesson_make(course=module.course, module=module, kind=Lesson.Kind.TEXT, body_html="<p>Chữ</p>"),
    ]
    for lesson in lessons:
        changed_ago(lesson, timedelta(days=3))
    rows = list(Lesson.objects.order_by("id").values())

    assert lessons_unprocessed_requeue() == 0

    assert queued_jobs() == []
    assert list(Lesson.objects.order_by("id").values()) == rows


def test_running_lesson_is_queued_again_only_once_its_run_is_past_any_time_limit(module, broker_queue):
    """A run that started an hour ago may still be encoding; one started past the stale delay died."""
    running = waiting_lesson_make(module, title="Đang chạy")
    dead = waiting_lesson_make(module, title="Chết")
    for lesson, started in [(running, timedelta(hours=1)), (dead, PROCESSING_STALE_AFTER + timedelta(minutes=1))]:
        Lesson.objects.filter(id=lesson.id).update(
            processing_run=f"run-{lesson.id}",
            processing_started_at=timezone.now() - started,
            updated_at=timezone.now() - timedelta(hours=3),
        )

    assert lessons_unprocessed_requeue() == 1

    assert queued_jobs() == [(PROCESS, (dead.id,))]


def test_one_sweep_queues_at_most_its_bound_oldest_first_and_the_rest_next_time(module, broker_queue):
    """Over the bound, the oldest lessons go first and the others are queued by the next sweep."""
    oldest = waiting_lesson_make(module, title="0")
    Lesson.objects.bulk_create(
        Lesson(
            course=module.course,
            module=module,
            title=str(number),
            kind=Lesson.Kind.SLIDES,
            position=number,
            processing=Lesson.Processing.PROCESSING,
            source=f"lessons/{module.course_id}/slides-{number}.pdf",
        )
        for number in range(1, LOST_PROCESSING_PER_SWEEP + 1)
    )
    for lesson in Lesson.objects.all():
        changed_ago(lesson, timedelta(hours=2, minutes=-int(lesson.title)))
    newest = Lesson.objects.get(title=str(LOST_PROCESSING_PER_SWEEP))

    assert lessons_unprocessed_requeue() == LOST_PROCESSING_PER_SWEEP
    first = [args[0] for _task, args in queued_jobs()]
    assert first[0] == oldest.id and newest.id not in first and len(set(first)) == LOST_PROCESSING_PER_SWEEP

    assert lessons_unprocessed_requeue() == 1  # the others were queued just now: only the newest is due
    assert queued_jobs() == [(PROCESS, (newest.id,))]


# --- A second copy of a job never encodes the file twice ----------------------------------------


def test_second_run_stops_while_another_holds_the_lesson_and_the_holder_finishes(
    module, files, storage_root, broker_queue
):
    """Run B finds the lesson held by run A and writes nothing; A (redelivered: same id) makes it READY."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    # Its job waits in the queue, which no worker reads: only the runs of this test touch the lesson.
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files)))
    assert lesson_processing_claim(lesson_id=lesson.id, source_name=lesson.source.name, run_id="run-a")

    lesson_process(lesson_id=lesson.id, run_id="run-b")

    held = Lesson.objects.get(id=lesson.id)
    assert (held.processing, held.processing_run, held.media_prefix) == (Lesson.Processing.PROCESSING, "run-a", "")
    assert media_folders(storage_root, lesson) == []

    lesson_process(lesson_id=lesson.id, run_id="run-a")

    done = Lesson.objects.get(id=lesson.id)
    assert (done.processing, done.page_count, done.processing_run) == (Lesson.Processing.READY, 2, "")
    assert media_folders(storage_root, lesson) == [done.media_prefix.rstrip("/").rpartition("/")[2]]


def test_claim_of_a_run_past_the_stale_delay_is_taken_over(module, files, storage_root, broker_queue):
    """A run whose worker died long ago no longer holds the lesson: the next run processes it."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files)))
    lesson_processing_claim(lesson_id=lesson.id, source_name=lesson.source.name, run_id="run-dead")
    Lesson.objects.filter(id=lesson.id).update(
        processing_started_at=timezone.now() - PROCESSING_STALE_AFTER - timedelta(seconds=1)
    )

    lesson_process(lesson_id=lesson.id, run_id="run-new")

    assert Lesson.objects.get(id=lesson.id).processing == Lesson.Processing.READY


def test_a_run_is_over_before_its_claim_may_be_taken_over():
    """The task's hard time limit and the broker's redelivery both come before the claim goes stale."""
    stale = PROCESSING_STALE_AFTER.total_seconds()
    assert lesson_process_task.time_limit < stale
    assert celery_app.conf.broker_transport_options["visibility_timeout"] < stale


# --- End to end: the broker down at upload, a real worker after ---------------------------------


def test_lesson_uploaded_while_redis_was_down_is_processed_after_the_sweep(
    module, files, storage_root, request, caplog
):
    """The upload works without Redis and its job is dropped; once back, the sweep has the worker process it."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    with redis_down(), caplog.at_level(logging.WARNING, logger="onetouch.jobs"):
        lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files, pages=3)))
    assert f"{PROCESS} not queued" in caplog.text
    assert Lesson.objects.get(id=lesson.id).processing == Lesson.Processing.PROCESSING

    request.getfixturevalue("celery_worker_running")  # Redis is back: the worker starts, on an empty queue
    assert lessons_unprocessed_requeue() == 0  # too recent: its job could still be waiting in a queue
    changed_ago(lesson, timedelta(minutes=16))
    lessons_unprocessed_requeue_task.delay()

    lesson = lesson_wait(lesson.id)

    assert lesson.processing == Lesson.Processing.READY, lesson.processing_error
    assert lesson.page_count == 3 and lesson.processing_run == ""
    assert (storage_root / lesson.page_image_name(3)).is_file()
    assert len(media_folders(storage_root, lesson)) == 1
    assert lessons_unprocessed_requeue() == 0
