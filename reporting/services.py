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


# The roll-up levels above the finest rows (one province, commune and course), each summed from a
# finer level rather than from every event again: its name, where it is summed from (None: the
# finest rows), and
# its place and course columns (ALL: summed over). The finest level is kept by day only (a month
# of one commune and one course is hardly coarser than its days); the others by day and by month.
_LEVELS = (
    ("by_commune", None, ("province_id", "commune_id", ALL)),
    ("by_province_course", None, ("province_id", ALL, "course_id")),
    ("by_province", "by_commune", ("province_id", ALL, ALL)),
    ("by_course", "by_province_course", (ALL, ALL, "course_id")),
    ("national", "by_province", (ALL, ALL, ALL)),
)
_PLACES = ("province_id", "commune_id", "course_id")
_KEY = ("grain", "period_start", *_PLACES, "audience_group")
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
    sums = ", ".join(
        f"CAST(SUM(CASE WHEN e.kind = '{kind}' THEN 1 ELSE 0 END) AS INTEGER) AS {kind}" for kind in COUNTED_KINDS
    )
    sql = f"""
        SELECT {day} AS day, COALESCE(e.province_id, 0) AS province_id, COALESCE(e.commune_id, 0) AS commune_id,
               e.course_id, e.audience_group, {sums}
        FROM {_table(LearningEvent)} e
        WHERE {events.where} AND e.kind IN ({kinds})
        GROUP BY 1, 2, 3, 4, 5
    """
    return sql, params


def _rollups_sql(finest: str) -> tuple[list[str], str]:
    """The roll-up levels of the finest rows (the relation named `finest`) and one SELECT of every summary row.

    Returns the levels as CTE definitions ("by_commune AS (...)") and the SELECT that reads them.
    The copies' keys never meet (each level has its own mix of ALL columns), so the SELECT is ready
    for a plain INSERT or an upsert.
    """
    if connection.vendor == "postgresql":  # date arithmetic: no cast through a time zone
        month = "(day - CAST(EXTRACT(DAY FROM day) AS INTEGER) + 1)"
    else:
        month = "date(day, 'start of month')"
    # Cast back: PostgreSQL sums integers as bigints and bigints as numerics, several times slower.
    sums = ", ".join(f"CAST(SUM({kind}) AS INTEGER) AS {kind}" for kind in COUNTED_KINDS)
    kinds = ", ".join(COUNTED_KINDS)
    day_grain, month_grain, places_all = (
        SummaryCount.Grain.DAY.value,
        SummaryCount.Grain.MONTH.value,
        ", ".join(_PLACES),
    )
    ctes = []
    copies = [f"SELECT '{day_grain}', day, {places_all}, audience_group, {kinds} FROM {finest}"]
    for name, source, places in _LEVELS:
        summed = [column for column in places if column != ALL]
        columns = ", ".join(f"{value} AS {column}" for value, column in zip(places, _PLACES, strict=True))
        ctes.append(
            f"{name} AS (SELECT day, {columns}, audience_group, {sums} FROM {source or finest} "
            f"GROUP BY day, {', '.join(summed)}{', ' if summed else ''}audience_group)"
        )
        copies.append(f"SELECT '{day_grain}', day, {places_all}, audience_group, {kinds} FROM {name}")
        copies.append(
            f"SELECT '{month_grain}', {month}, {places_all}, audience_group, {sums} "
            f"FROM {name} GROUP BY {month}, {places_all}, audience_group"
        )
    return ctes, f"SELECT * FROM ({' UNION ALL '.join(copies)}) AS copies"


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
    levels, rollups = _rollups_sql("delta")
    sql = f"""
        WITH {", ".join([f"delta AS ({delta})", *levels])}
        INSERT INTO {counts} ({columns})
        {rollups}
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
        levels, rollups = _rollups_sql("statistics_delta")
        cursor.execute(f"WITH {', '.join(levels)} INSERT INTO {counts} ({columns}) {rollups}")
        cursor.execute(f"ALTER TABLE {counts} ADD CONSTRAINT {_UNIQUE_KEY} {_summary_key_sql()}")
        _run_counts_add(cursor, events)
    return added


def _summary_key_sql() -> str:
    """The summary's unique key on PostgreSQL: the model's columns in order, with every count included.

    With the counts in the index a dashboard query is an index-only scan over neighbouring entries.
    Migration 0005 holds a copy; the rebuild drops the key and adds it again.
    """
    (constraint,) = SummaryCount._meta.constraints
    return f"UNIQUE ({', '.join(constraint.fields)}) INCLUDE ({', '.join(COUNTED_KINDS)})"


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
