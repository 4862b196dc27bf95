"""Fold the learning-event log into the daily count tables.

Invariants:
- The counts and the fill state's mark change in one transaction, so a crash leaves both as they
  were and the next fold picks up from the same mark.
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
from reporting.models import DailyCount, FillState

DAILY_COUNTS = "learning_events_daily"
# Vietnam has kept UTC+7 without daylight saving since 1975, so SQLite can use a fixed offset.
DAY_TIME_ZONE = "Asia/Ho_Chi_Minh"
_LOCK_KEY = 7_346_210_001  # any constant bigint of our own for pg_advisory_xact_lock


@dataclass(frozen=True)
class FoldResult:
    events: int  # events counted by this run (0 when skipped)
    mark: int  # the fill state's mark after the run
    skipped: bool = False  # another fold was running and the caller chose not to wait


def statistics_fold(*, wait: bool = True) -> FoldResult:
    """Add the events written since the last fold to the daily counts and move the mark."""
    with transaction.atomic():
        if not _fold_lock_take(wait=wait):
            return FoldResult(events=0, mark=_mark_read(), skipped=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=DAILY_COUNTS)
        since = state.mark
        until = _mark_now()
        if until <= since:
            return FoldResult(events=0, mark=since)
        events = _counts_add(since=since, until=until)
        state.mark = until
        state.save(update_fields=["mark", "updated_at"])
        return FoldResult(events=events, mark=until)


def statistics_rebuild() -> FoldResult:
    """Recount every daily count from the whole event log and reset the mark."""
    with transaction.atomic():
        _fold_lock_take(wait=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=DAILY_COUNTS)
        DailyCount.objects.all().delete()
        until = _mark_now()
        events = _counts_add(since=None, until=until)
        state.mark = until
        state.save(update_fields=["mark", "updated_at"])
        return FoldResult(events=events, mark=until)


def _fold_lock_take(*, wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        return cursor.fetchone()[0]


def _mark_read() -> int:
    return FillState.objects.filter(statistic=DAILY_COUNTS).values_list("mark", flat=True).first() or 0


def _mark_now() -> int:
    """Return the exclusive upper end of what may be folded now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            return cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {_table(LearningEvent)}")
        return cursor.fetchone()[0]


def _counts_add(*, since: int | None, until: int) -> int:
    """Upsert the counts of the events in [since, until) (from the start if since is None); return how many."""
    column = "xact_id" if connection.vendor == "postgresql" else "id"
    where, params = [f"e.{column} < %s"], [until]
    if since is not None:
        where.append(f"e.{column} >= %s")
        params.append(since)
    range_params = list(params)
    if connection.vendor == "postgresql":
        day = "(e.occurred_at AT TIME ZONE %s)::date"
        params = [DAY_TIME_ZONE, *params]
    else:
        day = "date(e.occurred_at, '+7 hours')"
    counts, events = _table(DailyCount), _table(LearningEvent)
    key = "day, province_id, commune_id, audience_group, course_id, kind"
    sql = f"""
        INSERT INTO {counts} ({key}, count)
        SELECT {day}, COALESCE(e.province_id, 0), COALESCE(e.commune_id, 0), e.audience_group,
               e.course_id, e.kind, COUNT(*)
        FROM {events} e
        WHERE {" AND ".join(where)}
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT ({key}) DO UPDATE SET count = {counts}.count + EXCLUDED.count
    """
    with connection.cursor() as cursor:
        # The upsert reports rows, not events; the range is indexed, so counting it apart is cheap.
        cursor.execute(f"SELECT COUNT(*) FROM {events} e WHERE {' AND '.join(where)}", range_params)
        added = cursor.fetchone()[0]
        cursor.execute(sql, params)
    return added


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
