from celery import shared_task
from django.db import DatabaseError

from reporting.services.compact import statistics_compact as statistics_compact_service
from reporting.services.exports import export_file_write as export_file_write_service
from reporting.services.exports import export_files_expire as export_files_expire_service
from reporting.services.fold import statistics_fold as statistics_fold_service


# Idempotent (the counts and the mark move together in one transaction, under a lock), so
# acknowledged only after it has run. Beat queues it every minute; a run that finds another fold
# still going skips instead of queueing up behind it.
@shared_task(
    acks_late=True,
    max_retries=3,
    default_retry_delay=30,
    autoretry_for=(DatabaseError,),
    soft_time_limit=240,
    time_limit=300,
)
def statistics_fold() -> int:
    """Fold the learning events written since the last run into the daily counts."""
    return statistics_fold_service(wait=False).events


# Idempotent (each batch moves rows and deletes them in one transaction, under the fold's lock), so
# acknowledged only after it has run. Beat queues it every hour on the statistics queue; a run that
# finds a fold or rebuild holding the lock stops there, and the next one goes on. It shares the
# statistics queue's one worker process with the fold, so it is held to the queue's five minutes:
# batches commit one by one, and what a stopped run leaves is moved by the next.
@shared_task(
    acks_late=True,
    max_retries=3,
    default_retry_delay=60,
    autoretry_for=(DatabaseError,),
    soft_time_limit=240,
    time_limit=300,
)
def statistics_compact() -> int:
    """Move the summary rows the fold wrote since the last run into the summary; return how many."""
    return statistics_compact_service(wait=False).rows


# Idempotent (a redelivered task finds the export no longer queued and does nothing), so
# acknowledged only after it has run. A million rows take minutes; the limits leave room for that
# and stay under the broker's visibility timeout.
@shared_task(acks_late=True, max_retries=0, soft_time_limit=1500, time_limit=1800)
def export_file_write(export_id: int) -> None:
    """Write one queued export file (CSV or XLSX) to storage."""
    export_file_write_service(export_id=export_id)


# Idempotent (a second run finds nothing older than the cut-off left). Beat runs it every hour.
@shared_task(acks_late=True, max_retries=3, default_retry_delay=60, autoretry_for=(DatabaseError,))
def export_files_expire() -> int:
    """Delete the exports older than EXPORT_FILES_KEEP_DAYS and their files."""
    return export_files_expire_service()
