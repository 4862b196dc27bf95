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
from reporting.models import ALL, COUNTED_KINDS, FillState, RunCount, SummaryCount

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
    """Recount every summary count from the whole event log and reset the mark.

    Pages never see a half-built summary: they read the old counts until the new ones commit
    (on PostgreSQL they wait while the new rows are inserted, the last step).
    """
    with transaction.atomic():
        _fold_lock_take(wait=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        until = _mark_now()
        if connection.vendor == "postgresql":
            events = _counts_rebuild_postgresql(until=until)
        else:
            SummaryCount.objects.all().delete()
            RunCount.objects.all().delete()
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


# The place and course columns of each rolled-up copy of a new event's row, and its grains: the
# finest row (by day only: a month of one commune and one course is hardly coarser than its days),
# then with commune, course or both summed, then the whole country with and without the course.
_ROLLUPS = (
    (("province_id", "commune_id", "course_id"), (SummaryCount.Grain.DAY,)),
    (("province_id", "commune_id", ALL), (SummaryCount.Grain.DAY, SummaryCount.Grain.MONTH)),
    (("province_id", ALL, "course_id"), (SummaryCount.Grain.DAY, SummaryCount.Grain.MONTH)),
    (("province_id", ALL, ALL), (SummaryCount.Grain.DAY, SummaryCount.Grain.MONTH)),
    ((ALL, ALL, "course_id"), (SummaryCount.Grain.DAY, SummaryCount.Grain.MONTH)),
    ((ALL, ALL, ALL), (SummaryCount.Grain.DAY, SummaryCount.Grain.MONTH)),
)
_KEY = ("grain", "period_start", "province_id", "commune_id", "course_id", "audience_group")
_UNIQUE_KEY = "one_summary_count_per_key"

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


@dataclass(frozen=True)
class _EventRange:
    """The WHERE clause and parameters of the events with since <= mark < until (since None: from the start)."""

    where: str
    params: list

    @classmethod
    def of(cls, since: int | None, until: int) -> "_EventRange":
        column = "xact_id" if connection.vendor == "postgresql" else "id"
        where, params = [f"e.{column} < %s"], [until]
        if since is not None:
            where.append(f"e.{column} >= %s")
            params.append(since)
        return cls(" AND ".join(where), params)


def _delta_sql(events: _EventRange) -> tuple[str, list]:
    """The counted events of the range grouped by day, place, course and group, a column per kind."""
    if connection.vendor == "postgresql":
        day, params = "(e.occurred_at AT TIME ZONE %s)::date", [DAY_TIME_ZONE, *events.params]
    else:
        day, params = "date(e.occurred_at, '+7 hours')", list(events.params)
    kinds = ", ".join(f"'{kind}'" for kind in COUNTED_KINDS)
    sums = ", ".join(f"SUM(CASE WHEN e.kind = '{kind}' THEN 1 ELSE 0 END) AS {kind}" for kind in COUNTED_KINDS)
    sql = f"""
        SELECT {day} AS day, COALESCE(e.province_id, 0) AS province_id, COALESCE(e.commune_id, 0) AS commune_id,
               e.course_id, e.audience_group, {sums}
        FROM {_table(LearningEvent)} e
        WHERE {events.where} AND e.kind IN ({kinds})
        GROUP BY 1, 2, 3, 4, 5
    """
    return sql, params


def _rollups_sql(delta: str) -> str:
    """Every roll-up copy of the grouped rows of `delta`, as one SELECT of the summary's columns.

    The copies' keys never meet (each level has its own mix of ALL columns), so each copy is
    grouped on its own and the whole is ready for a plain INSERT or an upsert.
    """
    month = "date_trunc('month', day)::date" if connection.vendor == "postgresql" else "date(day, 'start of month')"
    copies = []
    for columns, grains in _ROLLUPS:
        for grain in grains:
            start = "day" if grain == SummaryCount.Grain.DAY else month
            if columns == _ROLLUPS[0][0] and grain == SummaryCount.Grain.DAY:  # delta is grouped so already
                sums, group_by = ", ".join(COUNTED_KINDS), ""
            else:
                sums = ", ".join(f"SUM({kind})" for kind in COUNTED_KINDS)
                keys = [start, *(column for column in columns if column != ALL), "audience_group"]
                group_by = f"GROUP BY {', '.join(keys)}"
            places = ", ".join(str(column) for column in columns)
            copies.append(f"SELECT '{grain.value}', {start}, {places}, audience_group, {sums} FROM {delta} {group_by}")
    return " UNION ALL ".join(copies)


def _counts_add(*, since: int | None, until: int) -> int:
    """Upsert the counts of the events in [since, until) (from the start if since is None); return how many.

    The new events are grouped once (`delta`), then each group is added to its day and month row
    at every roll-up level, so the cost follows the number of new events, not the history.
    """
    events = _EventRange.of(since, until)
    delta, params = _delta_sql(events)
    counts = _table(SummaryCount)
    columns = ", ".join((*_KEY, *COUNTED_KINDS))
    additions = ", ".join(f"{kind} = {counts}.{kind} + EXCLUDED.{kind}" for kind in COUNTED_KINDS)
    sql = f"""
        WITH delta AS ({delta})
        INSERT INTO {counts} ({columns})
        SELECT * FROM ({_rollups_sql("delta")}) AS copies
        WHERE true
        ON CONFLICT ({", ".join(_KEY)}) DO UPDATE SET {additions}
    """
    with connection.cursor() as cursor:
        # The upsert reports rows, not events; the range is indexed, so counting it apart is cheap.
        cursor.execute(f"SELECT COUNT(*) FROM {_table(LearningEvent)} e WHERE {events.where}", events.params)
        added = cursor.fetchone()[0]
        cursor.execute(sql, params)
        _run_counts_add(cursor, events)
    return added


def _counts_rebuild_postgresql(*, until: int) -> int:
    """Recount the summary from scratch the fast way: bulk inserts, the unique index built after.

    The events are grouped once into a temporary table (a plain parallel aggregate, the floor of
    any recount), its roll-ups are inserted without the unique index, which is then built in one
    sorted pass. Rows are only added, so no upsert is needed. Everything is in the caller's
    transaction: a failure leaves the old counts in place.
    """
    events = _EventRange.of(None, until)
    delta, params = _delta_sql(events)
    counts = _table(SummaryCount)
    columns = ", ".join((*_KEY, *COUNTED_KINDS))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(f"CREATE TEMPORARY TABLE statistics_delta ON COMMIT DROP AS {delta}", params)
        cursor.execute("ANALYZE statistics_delta")
        cursor.execute(f"SELECT COUNT(*) FROM {_table(LearningEvent)} e WHERE {events.where}", events.params)
        added = cursor.fetchone()[0]
        cursor.execute(f"TRUNCATE {counts}, {_table(RunCount)}")
        cursor.execute(f"ALTER TABLE {counts} DROP CONSTRAINT {_UNIQUE_KEY}")
        cursor.execute(f"INSERT INTO {counts} ({columns}) {_rollups_sql('statistics_delta')}")
        cursor.execute(f"ALTER TABLE {counts} ADD CONSTRAINT {_UNIQUE_KEY} UNIQUE ({', '.join(_unique_columns())})")
        _run_counts_add(cursor, events)
    return added


def _unique_columns() -> list[str]:
    """The summary's unique key in the order of its constraint (so its index serves the pages)."""
    (constraint,) = SummaryCount._meta.constraints
    return list(constraint.fields)


def _run_counts_add(cursor, events: _EventRange) -> None:
    """Upsert the run counts of the events of the range, per province and for the whole country."""
    runs, run_key = _table(RunCount), "course_run_id, province_id, audience_group, kind"
    cursor.execute(
        f"""
        WITH delta AS (
            SELECT e.course_run_id, COALESCE(e.province_id, 0) AS province_id, e.audience_group, e.kind,
                   COUNT(*) AS n
            FROM {_table(LearningEvent)} e
            WHERE {events.where} AND e.course_run_id IS NOT NULL AND e.kind IN ({RUN_KINDS})
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
        """,
        events.params,
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
