"""Background jobs of rosters: the dry run and the import of a roster file (rosters.services.imports)."""

from celery import shared_task

from rosters.services.import_rows import roster_import_run as roster_import_run_service
from rosters.services.imports import roster_check as roster_check_service
from rosters.services.imports import roster_files_expire as roster_files_expire_service
from rosters.services.imports import roster_imports_stalled_requeue as roster_imports_stalled_requeue_service

# 20,000 rows are checked in seconds and imported in about two minutes (README, Performance); the
# limits leave room for a slow database without letting a stuck job hold a worker for ever.
ROSTER_SOFT_TIME_LIMIT = 20 * 60


@shared_task(soft_time_limit=ROSTER_SOFT_TIME_LIMIT, time_limit=ROSTER_SOFT_TIME_LIMIT + 60)
def roster_check(roster_import_id: int) -> None:
    roster_check_service(roster_import_id=roster_import_id)


@shared_task(soft_time_limit=ROSTER_SOFT_TIME_LIMIT, time_limit=ROSTER_SOFT_TIME_LIMIT + 60)
def roster_import_run(roster_import_id: int) -> None:
    roster_import_run_service(roster_import_id=roster_import_id)


@shared_task
def roster_imports_stalled_requeue() -> int:
    """Queue again the roster checks and imports whose job was lost (a periodic sweep)."""
    return roster_imports_stalled_requeue_service()


@shared_task
def roster_files_expire() -> int:
    """Delete the uploaded roster files kept past ROSTER_FILES_KEEP_DAYS (a periodic sweep)."""
    return roster_files_expire_service()
