"""Writes of a lesson's files: the uploaded source, its captions, and the media processing derives.

Invariants callers may rely on:
- an upload is checked by its content and size before anything is stored; a refused upload raises
  ValidationError with a message for the author, and leaves the lesson and the storage as they were;
- files go to storage through django's default_storage (django-storages), in chunks: a large upload
  is never held whole in memory, and nothing assumes storage is a local disk;
- a video or slides lesson is PROCESSING from its upload until a worker makes it READY or FAILED;
  a document is READY at once;
- each processing run writes its derived files under a new `media_prefix` inside the lesson's folder
  (lessons/<course>/<lesson>/), so a browser or CDN never mixes files of two runs; only the run that
  finds the lesson still PROCESSING the same source records its results, so running twice is harmless;
- one run at a time works on a lesson: a run first claims it (`processing_run`), and another run stops
  while that claim is younger than PROCESSING_STALE_AFTER; the same run, redelivered or retried by
  Celery (same task id), takes its claim up again;
- a job that was never queued (the broker was down at upload) or whose run died is queued again by
  lessons_unprocessed_requeue (beat, every ten minutes);
- processing messages are stored in the platform's language (settings.LANGUAGE_CODE).

What a file may be, how it is checked, transcoded, stored and served lives in courses.media; this
module is the writes around it.
"""

import logging
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.media import transcoding
from courses.media.storage import storage_copy_to_local, storage_names_delete, storage_tree_put
from courses.media.types import ACCEPT_FOR_KIND, PROCESSED_KINDS, TYPES_BY_CODE
from courses.media.uploads import captions_check, file_name_clean, upload_check
from courses.models import Lesson
from courses.selectors.processing import lesson_list_processing_lost
from onetouch.jobs import task_queue, task_queue_on_commit

logger = logging.getLogger(__name__)

# Which run is working on the file: cleared whenever a new run is due (upload, retry) or one finished.
CLAIM_FIELDS = ["processing_run", "processing_started_at"]
DERIVED_FIELDS = [
    "media_prefix",
    "poster_name",
    "hls_playlist_name",
    "slides_pdf_name",
    "duration_seconds",
    "page_count",
]
# A lesson still PROCESSING after this long lost its job (the worker's hard time limit is shorter).
PROCESSING_STALE_AFTER = timedelta(hours=2)
# Lessons queued again per sweep, oldest first: after a long broker outage the backlog drains over a
# few runs instead of flooding the queue at once.
LOST_PROCESSING_PER_SWEEP = 100

SERVER_ERROR = _("Processing stopped because of an error on the server. Retry in a few minutes.")


# --- Uploads ------------------------------------------------------------------------------------


@transaction.atomic
def lesson_source_upload(*, lesson: Lesson, uploaded_file: File) -> Lesson:
    """Check an uploaded video, slide deck or document by its content, store it and queue its processing."""
    accept = ACCEPT_FOR_KIND.get(lesson.kind)
    if accept is None:
        raise ValidationError(gettext("A text lesson has no file to upload."), code="no_file_kind")
    file_type = upload_check(uploaded_file, accept=accept)
    name = file_name_clean(uploaded_file.name or "", extension=file_type.extension)
    size = uploaded_file.size

    # The row as stored, locked: its files are the ones to delete once the new file is committed.
    current = Lesson.objects.select_for_update().only("source", "media_prefix").get(id=lesson.id)
    old_source, old_prefix = current.source.name, current.media_prefix
    fields = [
        "source",
        "source_name",
        "source_content_type",
        "source_size",
        "processing",
        "processing_error",
        *CLAIM_FIELDS,
    ]
    before = {field: getattr(lesson, field) for field in [*fields, *DERIVED_FIELDS]}
    before["source"] = lesson.source.name
    # An object store serves the file with this type: the sniffed one, never the client's.
    uploaded_file.content_type = file_type.content_type
    lesson.source.save(name, uploaded_file, save=False)
    try:
        lesson.source_name = name
        lesson.source_content_type = file_type.content_type
        lesson.source_size = size
        lesson.processing = Lesson.Processing.PROCESSING if lesson.kind in PROCESSED_KINDS else Lesson.Processing.READY
        lesson.processing_error = ""
        claim_clear(lesson)
        derived_clear(lesson)
        lesson.full_clean()
        lesson.save(update_fields=[*fields, *DERIVED_FIELDS, "updated_at"])
    except Exception:
        default_storage.delete(lesson.source.name)
        for field, value in before.items():
            setattr(lesson, field, value)
        raise
    transaction.on_commit(lambda: storage_names_delete(names=[old_source], prefix=old_prefix))
    if lesson.processing == Lesson.Processing.PROCESSING:
        processing_queue(lesson.id)
    return lesson


@transaction.atomic
def lesson_captions_upload(*, lesson: Lesson, uploaded_file: File) -> Lesson:
    """Check and store a WebVTT captions file for a video lesson, replacing any earlier one."""
    if lesson.kind != Lesson.Kind.VIDEO:
        raise ValidationError(gettext("Only a video lesson has captions."), code="no_captions_kind")
    captions_check(uploaded_file)
    name = file_name_clean(uploaded_file.name or "", extension=TYPES_BY_CODE["vtt"].extension)
    before = lesson.captions.name
    old_captions = Lesson.objects.select_for_update().only("captions").get(id=lesson.id).captions.name
    uploaded_file.content_type = TYPES_BY_CODE["vtt"].content_type
    lesson.captions.save(name, uploaded_file, save=False)
    try:
        lesson.full_clean()
        lesson.save(update_fields=["captions", "updated_at"])
    except Exception:
        default_storage.delete(lesson.captions.name)
        lesson.captions = before
        raise
    transaction.on_commit(lambda: storage_names_delete(names=[old_captions]))
    return lesson


@transaction.atomic
def lesson_processing_retry(*, lesson: Lesson) -> Lesson:
    """Process a lesson's file again after a failure (or after its job was lost)."""
    locked = Lesson.objects.select_for_update().get(id=lesson.id)
    stale = locked.processing == Lesson.Processing.PROCESSING and locked.updated_at < (
        timezone.now() - PROCESSING_STALE_AFTER
    )
    if not locked.source or locked.kind not in PROCESSED_KINDS:
        raise ValidationError(gettext("This lesson has no file to process."), code="nothing_to_process")
    if locked.processing != Lesson.Processing.FAILED and not stale:
        raise ValidationError(gettext("Only a lesson whose processing failed can be retried."), code="not_failed")
    lesson.processing = Lesson.Processing.PROCESSING
    lesson.processing_error = ""
    claim_clear(lesson)
    lesson.save(update_fields=["processing", "processing_error", *CLAIM_FIELDS, "updated_at"])
    processing_queue(lesson.id)
    return lesson


def processing_queue(lesson_id: int) -> None:
    task_queue_on_commit("courses.tasks.lesson_process", lesson_id)


def lessons_unprocessed_requeue() -> int:
    """Queue processing again for lessons whose job was lost, oldest first; return how many were queued.

    Lost means still PROCESSING, unchanged for LESSON_PROCESSING_RETRY_AFTER_S, with no run started
    (the broker was down when the job was queued, or the message was lost) or with a run started over
    PROCESSING_STALE_AFTER ago that never recorded a result (its worker died). Queuing counts as a
    change (`updated_at`), so a lesson still waiting in a long queue is queued again at most once per
    that delay, and a backlog over LOST_PROCESSING_PER_SWEEP takes turns. A lesson queued twice is
    processed once: lesson_process stops for a lesson another run holds or that is no longer PROCESSING.
    """
    now = timezone.now()
    lesson_ids = list(
        lesson_list_processing_lost(
            changed_before=now - timedelta(seconds=settings.LESSON_PROCESSING_RETRY_AFTER_S),
            started_before=now - PROCESSING_STALE_AFTER,
        ).values_list("id", flat=True)[:LOST_PROCESSING_PER_SWEEP]
    )
    Lesson.objects.filter(id__in=lesson_ids, processing=Lesson.Processing.PROCESSING).update(updated_at=now)
    for lesson_id in lesson_ids:
        task_queue("courses.tasks.lesson_process", lesson_id)
    if lesson_ids:
        logger.warning("Queued processing again for %d lessons whose job was lost.", len(lesson_ids))
    return len(lesson_ids)


# --- Processing, run by the worker ----------------------------------------------------------------


def lesson_process(*, lesson_id: int, run_id: str = "") -> Lesson | None:
    """Derive a lesson's poster and HLS renditions, or slide page images, and record READY or FAILED.

    Does nothing unless the lesson is PROCESSING, so a repeated or late run changes nothing, nor while
    another run holds the lesson (see lesson_processing_claim). `run_id` is the Celery task id, the
    same when Celery redelivers or retries the task; without one the run gets an id of its own. Not
    atomic as a whole on purpose: the tools run outside any transaction, and only the short claim and
    final write (lesson_processing_finish) touch the lesson.
    """
    lesson = Lesson.objects.filter(id=lesson_id).first()
    if lesson is None or lesson.processing != Lesson.Processing.PROCESSING or not lesson.source:
        return lesson
    source_name = lesson.source.name
    if not lesson_processing_claim(lesson_id=lesson_id, source_name=source_name, run_id=run_id or uuid.uuid4().hex):
        logger.info("Lesson %s is being processed by another run; this one stops.", lesson_id)
        return lesson
    prefix = f"lessons/{lesson.course_id}/{lesson.id}/media-{uuid.uuid4().hex[:12]}/"
    written: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="onetouch-lesson-") as directory:
            work = Path(directory)
            source = storage_copy_to_local(source_name, work / f"source.{Path(source_name).suffix.lstrip('.')}")
            out = work / "out"
            out.mkdir()
            if lesson.kind == Lesson.Kind.VIDEO:
                info, poster, master = transcoding.video_derive(source, out)
                written = storage_tree_put(out, prefix)
                derived = {
                    "duration_seconds": info.duration,
                    "poster_name": prefix + poster.relative_to(out).as_posix(),
                    "hls_playlist_name": prefix + master.relative_to(out).as_posix(),
                    "page_count": None,
                    "slides_pdf_name": "",
                }
            else:
                is_pdf = lesson.source_content_type == TYPES_BY_CODE["pdf"].content_type
                pages, _images, converted = transcoding.slides_derive(source, out, is_pdf=is_pdf)
                written = storage_tree_put(out, prefix)
                derived = {
                    "duration_seconds": None,
                    "poster_name": "",
                    "hls_playlist_name": "",
                    "page_count": pages,
                    "slides_pdf_name": prefix + converted.relative_to(out).as_posix() if converted else source_name,
                }
    except transcoding.ProcessingError as error:
        storage_names_delete(names=written, prefix=prefix)
        return lesson_processing_finish(lesson_id=lesson_id, source_name=source_name, error=error)
    except SoftTimeLimitExceeded:
        storage_names_delete(names=written, prefix=prefix)
        return lesson_processing_finish(
            lesson_id=lesson_id, source_name=source_name, error=transcoding.ProcessingError(transcoding.TOO_LONG)
        )
    except Exception:
        logger.exception("Processing lesson %s failed", lesson_id)
        storage_names_delete(names=written, prefix=prefix)
        return lesson_processing_finish(
            lesson_id=lesson_id, source_name=source_name, error=transcoding.ProcessingError(SERVER_ERROR)
        )
    return lesson_processing_finish(lesson_id=lesson_id, source_name=source_name, prefix=prefix, derived=derived)


def lesson_processing_claim(*, lesson_id: int, source_name: str, run_id: str) -> bool:
    """Record that this run works on the lesson's file; False while another run holds it, or if it moved on.

    One conditional UPDATE, so of two runs starting at once exactly one gets the lesson. A claim older
    than PROCESSING_STALE_AFTER belongs to a run that died (the task's hard time limit is shorter) and
    is taken over.
    """
    now = timezone.now()
    free = Q(processing_run="") | Q(processing_run=run_id) | Q(processing_started_at__lt=now - PROCESSING_STALE_AFTER)
    claimed = Lesson.objects.filter(
        free, id=lesson_id, processing=Lesson.Processing.PROCESSING, source=source_name
    ).update(processing_run=run_id, processing_started_at=now)
    return claimed == 1


@transaction.atomic
def lesson_processing_finish(
    *,
    lesson_id: int,
    source_name: str,
    prefix: str = "",
    derived: dict | None = None,
    error: transcoding.ProcessingError | None = None,
) -> Lesson | None:
    """Record a processing run's result, unless the lesson moved on (another file, or another run finished)."""
    lesson = Lesson.objects.select_for_update().filter(id=lesson_id).first()
    if lesson is None or lesson.processing != Lesson.Processing.PROCESSING or lesson.source.name != source_name:
        if prefix:
            transaction.on_commit(lambda: storage_names_delete(prefix=prefix))
        return lesson
    if error is not None:
        with translation.override(settings.LANGUAGE_CODE):
            lesson.processing_error = str(error)[:500]
        lesson.processing = Lesson.Processing.FAILED
        claim_clear(lesson)
        lesson.save(update_fields=["processing", "processing_error", *CLAIM_FIELDS, "updated_at"])
        return lesson
    old_prefix = lesson.media_prefix
    lesson.media_prefix = prefix
    for field, value in derived.items():
        setattr(lesson, field, value)
    lesson.processing = Lesson.Processing.READY
    lesson.processing_error = ""
    claim_clear(lesson)
    lesson.save(update_fields=[*DERIVED_FIELDS, "processing", "processing_error", *CLAIM_FIELDS, "updated_at"])
    if old_prefix and old_prefix != prefix:
        transaction.on_commit(lambda: storage_names_delete(prefix=old_prefix))
    return lesson


def claim_clear(lesson: Lesson) -> None:
    lesson.processing_run = ""
    lesson.processing_started_at = None


def derived_clear(lesson: Lesson) -> None:
    lesson.media_prefix = ""
    lesson.poster_name = ""
    lesson.hls_playlist_name = ""
    lesson.slides_pdf_name = ""
    lesson.duration_seconds = None
    lesson.page_count = None
