"""Fold the learning-event log into the summary counts the dashboards read.

Invariants:
- The counts and the fill state's mark change in one transaction, so a crash leaves both as they
  were and the next fold picks up from the same mark.
- The in-person days that started since the last fold are copied into `DayCount` in the same
  transaction (reporting.services.days_held).
- Folds take one PostgreSQL advisory lock (SQLite's IMMEDIATE transactions already let one writer
  in at a time), so two folds at once count nothing twice.
- On PostgreSQL an event is folded by the transaction id that wrote it, not its sequence id: ids
  are handed out before commit, so a mark on the id alone skips an event whose transaction commits
  after a later one. Every transaction below the snapshot's xmin has finished, so nothing can
  appear below it later; the fold counts exactly the events with mark <= xact_id < xmin.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from learners.models import LearningEvent
from reporting.models import SUMMARY_COUNTS, FillState
from reporting.services.days_held import days_held_add
from reporting.services.fold_sql import counts_add, table

_LOCK_KEY = 7_346_210_001  # any constant bigint of our own for pg_advisory_xact_lock


@dataclass(frozen=True)
class FoldResult:
    events: int  # events counted by this run (0 when skipped)
    mark: int  # the fill state's mark after the run
    skipped: bool = False  # another fold was running and the caller chose not to wait


def statistics_fold(*, wait: bool = True) -> FoldResult:
    """Add the events written since the last fold to the summary counts and move the mark."""
    with transaction.atomic():
        if not fold_lock_take(wait=wait):
            return FoldResult(events=0, mark=_mark_read(), skipped=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        since = state.mark
        until = fold_mark_now()
        events = counts_add(since=since, until=until) if until > since else 0
        days_held_add()
        # Saved even when nothing was new: updated_at is when the figures were last known current.
        state.mark = max(until, since)
        state.save(update_fields=["mark", "updated_at"])
        return FoldResult(events=events, mark=state.mark)


def fold_lock_take(*, wait: bool) -> bool:
    """Take the fold's lock for the rest of the transaction; False if another fold holds it and wait is False."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        return cursor.fetchone()[0]


def _mark_read() -> int:
    return FillState.objects.filter(statistic=SUMMARY_COUNTS).values_list("mark", flat=True).first() or 0


def fold_mark_now() -> int:
    """Return the exclusive upper end of what may be folded now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            return cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table(LearningEvent)}")  # noqa: S608 (our table)
        return cursor.fetchone()[0]
