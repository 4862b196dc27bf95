"""Export files: recorded when a learner-level export is too large to answer at once, written by a worker, expired.

What a file holds is read by reporting.selectors.exports; written here with the spreadsheet
writers of reporting.pure.spreadsheets.
"""

import logging
import secrets
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onetouch.db_routers import replica_reads
from onetouch.jobs import task_queue_on_commit
from onetouch.models import User
from reporting.models import ExportFile
from reporting.pure.spreadsheets import csv_chunks, xlsx_write
from reporting.selectors.exports import LEARNERS, XLSX, LearnerQuery, export_filename, learner_header, learner_rows

logger = logging.getLogger(__name__)


@transaction.atomic
def export_file_create(*, owner: User, query: LearnerQuery, file_format: str) -> ExportFile:
    """Record a learner-level export and queue the worker that writes it; a repeated click gets the queued one."""
    fields = {
        "owner": owner,
        "province_id": query.province_id,
        "what": LEARNERS,
        "file_format": file_format,
        # The worker writes the headers in the language of the person who asked.
        "query": query.as_json() | {"language": translation.get_language()},
    }
    queued = ExportFile.objects.filter(status=ExportFile.Status.QUEUED, **fields).first()
    if queued is not None:
        return queued
    export = ExportFile.objects.create(**fields)
    task_queue_on_commit("reporting.tasks.export_file_write", export.id)
    return export


class Tally:
    """Pass rows through, counting them."""

    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def export_file_write(*, export_id: int) -> None:
    """Write a queued export's file to storage and mark it ready; mark it failed if anything goes wrong."""
    export = ExportFile.objects.select_related("province", "owner").get(id=export_id)
    if export.status != ExportFile.Status.QUEUED:
        return  # a redelivered task: the file is already written (or the failure recorded)
    try:
        with translation.override(export.query.get("language")):
            export_file_fill(export)
    except Exception as error:  # logged whole below: the owner must see a failure, not "being prepared" for ever
        logger.exception("Export %s failed", export.id)
        export.status = ExportFile.Status.FAILED
        export.error = repr(error)[:2000]  # for the back office; the owner's page says it in their language
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])


def export_file_fill(export: ExportFile) -> None:
    query = LearnerQuery.from_export(export)
    rows = Tally(learner_rows(query, viewer=export.owner))
    # The rows from the replica when there is one (onetouch.db_routers); the export's own record,
    # just written and perhaps not there yet, is read and marked on the primary.
    with tempfile.TemporaryFile() as spool, replica_reads():
        if export.file_format == XLSX:
            xlsx_write(learner_header(), rows, title=_("Learners"), target=spool)
        else:
            for chunk in csv_chunks(learner_header(), rows):
                spool.write(chunk)
        spool.seek(0)
        filename = export_filename(
            province=export.province, what=export.what, start=query.start, end=query.end, file_format=export.file_format
        )
        # An unguessable prefix: stored files must not be found by guessing a name.
        export.file.save(f"{secrets.token_hex(8)}-{filename}", File(spool), save=False)
    export.status = ExportFile.Status.READY
    export.rows = rows.count
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "rows", "finished_at"])


# Exports removed per run: a backlog is cleared over a few runs instead of one long transaction.
EXPIRE_BATCH = 500


def export_files_expire() -> int:
    """Delete the exports older than EXPORT_FILES_KEEP_DAYS and their files; return how many.

    Learner lists are personal data: they are kept only as long as someone may still want to
    download them. A row goes first and its file after the commit, so a failure never leaves a
    "ready" export whose file is gone.
    """
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_FILES_KEEP_DAYS)
    with transaction.atomic():
        expired = list(ExportFile.objects.filter(created_at__lt=cutoff).order_by("created_at")[:EXPIRE_BATCH])
        for export in expired:
            if export.file:
                transaction.on_commit(lambda file=export.file: file.storage.delete(file.name))
        ExportFile.objects.filter(id__in=[export.id for export in expired]).delete()
    return len(expired)
