"""Fold the learning-event log into the summary counts the dashboards read.

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
from reporting.models import ALL, FillState, RunCount, SummaryCount

SUMMARY_COUNTS = "summary_counts"
# Vietnam has kept UTC+7 without daylight saving since 1975, so SQLite can use a fixed offset.
DAY_TIME_ZONE = "Asia/Ho_Chi_Minh"
_LOCK_KEY = 7_346_210_001  # any constant bigint of our own for pg_advisory_xact_lock


@dataclass(frozen=True)
class FoldResult:
    events: int  # events counted by this run (0 when skipped)
    mark: int  # the fill state's mark after the run
    skipped: bool = False  # another fold was running and the caller chose not to wait


def statistics_fold(*, wait: bool = True) -> FoldResult:
    """Add the events written since the last fold to the summary counts and move the mark."""
    with transaction.atomic():
        if not _fold_lock_take(wait=wait):
            return FoldResult(events=0, mark=_mark_read(), skipped=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        since = state.mark
        until = _mark_now()
        events = _counts_add(since=since, until=until) if until > since else 0
        # Saved even when nothing was new: updated_at is when the figures were last known current.
        state.mark = max(until, since)
        state.save(update_fields=["mark", "updated_at"])
        return FoldResult(events=events, mark=state.mark)


def statistics_rebuild() -> FoldResult:
    """Recount every summary count from the whole event log and reset the mark."""
    with transaction.atomic():
        _fold_lock_take(wait=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        SummaryCount.objects.all().delete()
        RunCount.objects.all().delete()
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
    return FillState.objects.filter(statistic=SUMMARY_COUNTS).values_list("mark", flat=True).first() or 0


def _mark_now() -> int:
    """Return the exclusive upper end of what may be folded now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            return cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {_table(LearningEvent)}")
        return cursor.fetchone()[0]


# The place and course columns of each rolled-up copy of a new event's row: the finest row, then
# with commune, course or both summed, then the whole country with and without the course.
_ROLLUPS = (
    ("province_id", "commune_id", "course_id"),
    ("province_id", "commune_id", ALL),
    ("province_id", ALL, "course_id"),
    ("province_id", ALL, ALL),
    (ALL, ALL, "course_id"),
    (ALL, ALL, ALL),
)


# What a course run's completion rate needs; the other kinds are counted by day only.
RUN_KINDS = ", ".join(
    f"'{kind.value}'"
    for kind in (
        LearningEvent.Kind.ENROLLED,
        LearningEvent.Kind.UNENROLLED,
        LearningEvent.Kind.COURSE_COMPLETED,
        LearningEvent.Kind.COMPLETED_IN_PERSON,
    )
)


def _counts_add(*, since: int | None, until: int) -> int:
    """Upsert the counts of the events in [since, until) (from the start if since is None); return how many.

    The new events are grouped once (`delta`), then each group is added to its day and month row
    at every roll-up level, so the cost follows the number of new events, not the history.
    """
    column = "xact_id" if connection.vendor == "postgresql" else "id"
    where, params = [f"e.{column} < %s"], [until]
    if since is not None:
        where.append(f"e.{column} >= %s")
        params.append(since)
    range_params = list(params)
    if connection.vendor == "postgresql":
        day = "(e.occurred_at AT TIME ZONE %s)::date"
        month = "date_trunc('month', day)::date"
        params = [DAY_TIME_ZONE, *params]
    else:
        day = "date(e.occurred_at, '+7 hours')"
        month = "date(day, 'start of month')"
    counts, events = _table(SummaryCount), _table(LearningEvent)
    copies = []
    for grain, start in ((SummaryCount.Grain.DAY.value, "day"), (SummaryCount.Grain.MONTH.value, month)):
        for province, commune, course in _ROLLUPS:
            copies.append(
                f"SELECT '{grain}' AS grain, {start} AS period_start, {province} AS province_id, "
                f"{commune} AS commune_id, {course} AS course_id, audience_group, kind, n FROM delta"
            )
    key = "grain, province_id, commune_id, course_id, period_start, audience_group, kind"
    sql = f"""
        WITH delta AS (
            SELECT {day} AS day, COALESCE(e.province_id, 0) AS province_id,
                   COALESCE(e.commune_id, 0) AS commune_id, e.course_id, e.audience_group, e.kind,
                   COUNT(*) AS n
            FROM {events} e
            WHERE {" AND ".join(where)}
            GROUP BY 1, 2, 3, 4, 5, 6
        )
        INSERT INTO {counts} ({key}, count)
        SELECT {key}, SUM(n) FROM ({" UNION ALL ".join(copies)}) AS copies
        WHERE true
        GROUP BY {key}
        ON CONFLICT ({key}) DO UPDATE SET count = {counts}.count + EXCLUDED.count
    """
    runs, run_key = _table(RunCount), "course_run_id, province_id, audience_group, kind"
    runs_sql = f"""
        WITH delta AS (
            SELECT e.course_run_id, COALESCE(e.province_id, 0) AS province_id, e.audience_group, e.kind,
                   COUNT(*) AS n
            FROM {events} e
            WHERE {" AND ".join(where)} AND e.course_run_id IS NOT NULL AND e.kind IN ({RUN_KINDS})
            GROUP BY 1, 2, 3, 4
        )
        INSERT INTO {runs} ({run_key}, count)
        SELECT {run_key}, SUM(n) FROM (
            SELECT course_run_id, province_id, audience_group, kind, n FROM delta
            UNION ALL SELECT course_run_id, {ALL}, audience_group, kind, n FROM delta
        ) AS copies
        WHERE true
        GROUP BY {run_key}
        ON CONFLICT ({run_key}) DO UPDATE SET count = {runs}.count + EXCLUDED.count
    """
    with connection.cursor() as cursor:
        # The upsert reports rows, not events; the range is indexed, so counting it apart is cheap.
        cursor.execute(f"SELECT COUNT(*) FROM {events} e WHERE {' AND '.join(where)}", range_params)
        added = cursor.fetchone()[0]
        cursor.execute(sql, params)
        cursor.execute(runs_sql, range_params)
    return added


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
