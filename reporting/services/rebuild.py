"""Recount the summary counts and course-run counts from the whole event log (`manage.py rebuild_statistics`).

On PostgreSQL the new counts are built into fresh tables beside the ones the pages read, then
swapped in under a lock held for milliseconds (docs/decisions/0025): a dashboard never waits for
a rebuild, it shows the old figures until the new ones are committed. The summary is partitioned
by period, and each partition is built on a connection of its own, at once (docs/decisions/0041).
On SQLite (the embedded `make run`, one writer at a time) the rows are simply deleted and counted
again.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from learners.models import LearningEvent
from reporting.models import (
    COUNTED_KINDS,
    SUMMARY_COUNTS,
    DayCount,
    FillState,
    RecentCount,
    RunCount,
    SummaryCount,
    SummaryTotal,
)
from reporting.services.days_held import days_held_add
from reporting.services.fold import FoldResult, fold_lock_take, fold_mark_now
from reporting.services.fold_sql import (
    DAY_TIME_ZONE,
    SUMMARY_KEY,
    EventRange,
    counts_add,
    delta_sql,
    events_count,
    rollups_sql,
    run_counts_add,
    table,
)

# How long each try of the swap waits for its lock: while it waits, new page reads queue behind
# it, so a short try lets them through when it gives up. The last tries outlast deadlock_timeout
# (1 s by default), after which PostgreSQL cancels an autovacuum holding the table, which the
# short tries never would; only then can a page wait up to 2 s. About 24 s in all, then it fails.
SWAP_LOCK_TIMEOUTS = ("200ms",) * 20 + ("2s",) * 10
_LOCK_NOT_AVAILABLE = "55P03"
_FRESH = "_new"  # the suffix of the fresh tables and of their constraints while they are built


def statistics_rebuild(*, before_swap: Callable[[], None] | None = None) -> FoldResult:
    """Recount every summary count from the whole event log and reset the mark.

    Everything happens in one transaction holding the fold's lock, so no fold runs meanwhile and
    the mark moves with the counts: a fold after the rebuild starts where it stopped, nothing
    counted twice or lost. `before_swap` is called once the new counts are built, just before
    they replace the old ones (tests hold the rebuild open there).
    """
    # Other connections see only what is committed: inside a caller's transaction, one connection.
    parallel = not connection.in_atomic_block
    with transaction.atomic():
        fold_lock_take(wait=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        until = fold_mark_now()
        if connection.vendor == "postgresql":
            events = _counts_build_postgresql(until=until, parallel=parallel)
        else:
            SummaryCount.objects.all().delete()
            RunCount.objects.all().delete()
            events = counts_add(since=None, until=until, into=SummaryCount)
        # Every event up to the mark is in the new summary: the fold's recent rows go (a DELETE,
        # pages read the old ones until the commit), and the next fold starts them again.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table(RecentCount)}")  # noqa: S608 (our table)
        # A DELETE, not a TRUNCATE: pages go on reading the old rows until the commit.
        DayCount.objects.all().delete()
        days_held_add()
        state.mark = until
        state.save(update_fields=["mark", "updated_at"])
        if before_swap is not None:
            before_swap()
        if connection.vendor == "postgresql":
            _tables_swap(SummaryCount, RunCount)
        return FoldResult(events=events, mark=until)


@dataclass(frozen=True)
class _Part:
    """One partition of the fresh summary: the periods from `lower` (None: the first) until `upper` (None: the last)."""

    number: int
    lower: date | None
    upper: date | None

    @property
    def table(self) -> str:
        return f"{SummaryCount._meta.db_table}_p{self.number}{_FRESH}"

    def bounds(self) -> str:
        """The partition's bounds, as ATTACH PARTITION takes them."""
        return f"FOR VALUES FROM ({_date_sql(self.lower, 'MINVALUE')}) TO ({_date_sql(self.upper, 'MAXVALUE')})"

    def check(self) -> str:
        """The same bounds as a CHECK, so that ATTACH PARTITION need not read the rows to prove them."""
        limits = [f"period_start >= {_date_sql(self.lower)}"] if self.lower else []
        limits += [f"period_start < {_date_sql(self.upper)}"] if self.upper else []
        return " AND ".join(limits) or "true"


def _counts_build_postgresql(*, until: int, parallel: bool) -> int:
    """Count every event into a fresh summary and run-count tables; return how many events the log holds.

    The summary is partitioned by period (migration 0009). Each partition is built on a connection
    of its own when `parallel` (the caller's transaction holds nothing the others must see), all at
    once, while this connection counts the course runs; then they are attached to a fresh
    partitioned table, whose keys take over the partitions' own. Nothing touches the tables the
    pages read.
    """
    events = EventRange.of(None, until)
    parts = _parts_plan(max(1, settings.STATISTICS_REBUILD_CONNECTIONS))
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        builds = [pool.submit(_on_own_connection, _part_build, part, events) for part in parts] if parallel else []
        added = _run_counts_build(events)
        for build in builds:
            build.result()  # raises a part's error here, which rolls the rebuild back
    if not parallel:
        for part in parts:
            _part_build(part, events)
    _parts_attach(parts)
    return added


def _run_counts_build(events: EventRange) -> int:
    """Count the course runs into their fresh table; return how many events the range holds."""
    runs = _fresh_table_create(RunCount)
    with connection.cursor() as cursor:
        _fresh_indexes_create(cursor, RunCount)  # the run counts are upserted: their key comes first
        run_counts_add(cursor, events, into=runs)
        return events_count(cursor, events)


def _part_build(part: _Part, events: EventRange) -> None:
    """Build one partition of the fresh summary, logged and keyed, from the events of its periods.

    The part's events are grouped once by the finest key straight into the partition (the same
    work as a plain GROUP BY); the roll-ups are summed from those rows and added; then the primary
    key (the summary's key: no id to number, no second index) is built in one sorted pass.
    """
    live = SummaryCount._meta.db_table
    delta, params = delta_sql(events.during(part.lower, part.upper))
    places = ", ".join(SUMMARY_KEY[2:])
    columns = ", ".join((*SUMMARY_KEY, *COUNTED_KINDS))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(f'DROP TABLE IF EXISTS "{part.table}"')
        types = _column_types(cursor, live)
        finest = {
            "grain": f"'{SummaryCount.Grain.DAY.value}'",
            "period_start": "day",
            **{column: column for column in (*SUMMARY_KEY[2:], *COUNTED_KINDS)},
        }
        # The finest rows are the partition itself: CREATE TABLE AS groups the events with
        # PostgreSQL's parallel workers (an INSERT's SELECT gets none), in the live table's column
        # types. Logged from the start: writing it unlogged, then SET LOGGED (a copy of the whole
        # table), was 5-8 s slower at 10 M enrolments (docs/decisions/0041).
        cast = ", ".join(f"CAST({value} AS {types[column][0]}) AS {column}" for column, value in finest.items())
        create = f'CREATE TABLE "{part.table}" AS SELECT {cast} FROM ({delta}) AS finest'  # noqa: S608
        cursor.execute(create, params)
        # One pass over the rows checks all of these; the period's CHECK spares ATTACH PARTITION its own.
        cursor.execute(
            f'ALTER TABLE "{part.table}" '
            + ", ".join(f"ALTER {column} SET NOT NULL" for column, (_type, not_null) in types.items() if not_null)
            + f', ADD CONSTRAINT "{part.table}_period" CHECK ({part.check()})'
        )
        cursor.execute(f'ANALYZE "{part.table}"')
        # The roll-ups are summed from the finest rows, all the partition holds until now.
        kinds = ", ".join(COUNTED_KINDS)
        levels, rollups = rollups_sql(
            f'(SELECT period_start AS day, {places}, {kinds} FROM "{part.table}") AS finest',  # noqa: S608 (our table)
            with_finest=False,
        )
        insert = f'INSERT INTO "{part.table}" ({columns}) {rollups}'
        cursor.execute(f"WITH {', '.join(levels)} {insert}")
        for name, definition in _keys_of(cursor, live):
            cursor.execute(f'ALTER TABLE "{part.table}" ADD CONSTRAINT "{name}_p{part.number}{_FRESH}" {definition}')
        options = _partition_options(cursor, live)
        if options:
            cursor.execute(f'ALTER TABLE "{part.table}" SET ({options})')


def _parts_attach(parts: list[_Part]) -> None:
    """Make the fresh partitioned summary of the built parts and its key."""
    live = SummaryCount._meta.db_table
    fresh = live + _FRESH
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{fresh}"')
        _stale_parts_drop(cursor, keep={part.table for part in parts})
        cursor.execute(
            f'CREATE TABLE "{fresh}" (LIKE "{live}" INCLUDING CONSTRAINTS) PARTITION BY RANGE (period_start)'
        )
        for part in parts:
            cursor.execute(f'ALTER TABLE "{fresh}" ATTACH PARTITION "{part.table}" {part.bounds()}')
            cursor.execute(f'ALTER TABLE "{part.table}" DROP CONSTRAINT "{part.table}_period"')
        # The partitions' keys are taken over, not built again.
        for name, definition in _keys_of(cursor, live):
            cursor.execute(f'ALTER TABLE "{fresh}" ADD CONSTRAINT "{name}{_FRESH}" {definition}')


def _stale_parts_drop(cursor, *, keep: set[str]) -> None:
    """Drop the fresh parts a failed rebuild with more parts left behind (each rebuild replaces its own)."""
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace "
        "AND relname LIKE %s",
        [f"{SummaryCount._meta.db_table}\\_p%{_FRESH}"],
    )
    for (name,) in cursor.fetchall():
        if name not in keep:
            cursor.execute(f'DROP TABLE "{name}"')


def _parts_plan(count: int) -> list[_Part]:
    """`count` parts of the periods, split at months that share the events out about evenly.

    A month is never split: its month row and its days' rows sit in the same part.
    """
    months: list[date] = []
    for moment in _event_time_quantiles(count):
        month = timezone.localtime(moment, ZoneInfo(DAY_TIME_ZONE)).date().replace(day=1)
        if months and month <= months[-1]:  # fewer months than parts here: one month each
            month = (months[-1] + timedelta(days=31)).replace(day=1)
        months.append(month)
    limits = [None, *months, None]
    return [_Part(number, lower, upper) for number, (lower, upper) in enumerate(pairwise(limits))]


def _event_time_quantiles(count: int) -> list[datetime]:
    """The `count - 1` times that cut the events into `count` parts of about as many events each.

    Read from PostgreSQL's statistics of the events' times, not the log: its most common values
    with their shares, and a histogram of equally frequent ranges of the others (ANALYZE samples a
    few thousand rows; it is run here only if the log was never analysed). With no statistics,
    the first of this month.
    """
    events = LearningEvent._meta.db_table
    query = (
        "SELECT most_common_vals::text::timestamptz[], most_common_freqs, histogram_bounds::text::timestamptz[] "
        "FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s AND attname = 'occurred_at'"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [events])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f'ANALYZE "{events}" (occurred_at)')
            cursor.execute(query, [events])
            row = cursor.fetchone()
    common, shares, bounds = row or (None, None, None)
    weighed = list(zip(common or [], shares or [], strict=True))
    if bounds and len(bounds) > 1:  # each range of the histogram holds as many of the other events
        rest = (1 - sum(shares or [])) / (len(bounds) - 1)
        weighed += [(bound, rest) for bound in bounds[1:]]
    if not weighed:
        return [timezone.now()] * (count - 1)
    weighed.sort()
    total, reached, cuts = sum(share for _moment, share in weighed), 0.0, []
    for moment, share in weighed:
        reached += share
        while len(cuts) < count - 1 and reached > total * (len(cuts) + 1) / count:
            cuts.append(moment)
    return cuts + [weighed[-1][0]] * (count - 1 - len(cuts))


def _on_own_connection(build: Callable, *args) -> None:
    """Run `build(*args)` in a transaction of this thread's own connection, committed when it returns."""
    try:
        with transaction.atomic():
            build(*args)
    finally:
        connection.close()


def _column_types(cursor, table_name: str) -> dict[str, tuple[str, bool]]:
    """The columns of `table_name`, each with its type as CAST takes it and whether it is NOT NULL."""
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table_name],
    )
    return {name: (type_name, not_null) for name, type_name, not_null in cursor.fetchall()}


def _keys_of(cursor, table_name: str) -> list[tuple[str, str]]:
    """The names and definitions of the primary key and unique keys of `table_name`."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [table_name],
    )
    return cursor.fetchall()


def _partition_options(cursor, table_name: str) -> str:
    """The storage settings of a partition of `table_name` (migration 0005's vacuum settings), as SET takes them."""
    cursor.execute(
        "SELECT array_to_string(c.reloptions, ', ') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass LIMIT 1",
        [table_name],
    )
    row = cursor.fetchone()
    return (row and row[0]) or ""


def _date_sql(day: date | None, otherwise: str = "") -> str:
    return f"DATE '{day.isoformat()}'" if day else otherwise


def _fresh_table_create(model) -> str:
    """Create the empty fresh table of `model`: its columns, defaults, identity and storage settings, no index."""
    old, fresh = model._meta.db_table, model._meta.db_table + _FRESH
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{fresh}"')
        cursor.execute(
            f'CREATE TABLE "{fresh}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)'
        )
        # The vacuum settings of migration 0005 (LIKE does not copy a table's storage parameters).
        cursor.execute("SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = %s::regclass", [old])
        (options,) = cursor.fetchone()
        if options:
            cursor.execute(f'ALTER TABLE "{fresh}" SET ({options})')
    return f'"{fresh}"'


def _fresh_indexes_create(cursor, model) -> None:
    """Give the fresh table the primary key and unique keys the live one has, under fresh names.

    Read from the live table, so whatever the migrations made (migration 0005's INCLUDE of the
    counts in the summary's key) is made again. Neither table has other indexes.
    """
    old, fresh = model._meta.db_table, model._meta.db_table + _FRESH
    for name, definition in _keys_of(cursor, old):
        cursor.execute(f'ALTER TABLE "{fresh}" ADD CONSTRAINT "{name}{_FRESH}" {definition}')


def _tables_swap(*models) -> None:
    """Put the fresh tables in place of the live ones, as the last step of the rebuild's transaction.

    The lock this takes (ACCESS EXCLUSIVE, for the drop and renames) lasts until the commit, a few
    milliseconds later. Taking it waits for the pages that are reading the old tables; while it
    waits, new reads queue behind it, so each try waits a short while (SWAP_LOCK_TIMEOUTS), then
    lets them through and tries again.
    """
    # The view the pages read first, as they lock it before its tables: the same order, no deadlock.
    tables = ", ".join(f'"{model._meta.db_table}"' for model in (SummaryTotal, *models))
    with connection.cursor() as cursor:
        for attempt, timeout in enumerate(SWAP_LOCK_TIMEOUTS, start=1):
            try:
                with transaction.atomic():  # a savepoint: a try that times out leaves the rebuild intact
                    cursor.execute(f"SET LOCAL lock_timeout = '{timeout}'")
                    cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
                break
            except OperationalError as error:
                if _sqlstate(error) != _LOCK_NOT_AVAILABLE or attempt == len(SWAP_LOCK_TIMEOUTS):
                    raise
        cursor.execute("SET LOCAL lock_timeout = 0")
        # The view follows a table by its identity, not its name: point it at the fresh summary
        # before the old one is dropped (a view depending on it would stop the DROP).
        cursor.execute(_summary_total_sql(SummaryCount._meta.db_table + _FRESH))
        for model in models:
            _table_replace(cursor, model._meta.db_table)


def _summary_total_sql(summary: str) -> str:
    """The view `SummaryTotal` over the summary table `summary` and the recent rows (as migration 0008 made it)."""
    columns = ", ".join((*SUMMARY_KEY, *COUNTED_KINDS))
    return (
        f'CREATE OR REPLACE VIEW "{SummaryTotal._meta.db_table}" AS SELECT {columns} FROM "{summary}" '  # noqa: S608
        f"UNION ALL SELECT {columns} FROM {table(RecentCount)}"
    )


def _sqlstate(error: OperationalError) -> str | None:
    """The SQLSTATE of the driver's error under Django's (psycopg2 calls it pgcode, psycopg sqlstate)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def _table_replace(cursor, old: str) -> None:
    """Drop the live table `old` and give its fresh one its name, its partitions', constraints' and sequence's."""
    fresh = old + _FRESH
    cursor.execute(f'DROP TABLE "{old}"')
    cursor.execute(f'ALTER TABLE "{fresh}" RENAME TO "{old}"')
    _constraints_rename(cursor, old)
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [old],
    )
    for (partition,) in cursor.fetchall():
        cursor.execute(f'ALTER TABLE "{partition}" RENAME TO "{partition.removesuffix(_FRESH)}"')
        _constraints_rename(cursor, partition.removesuffix(_FRESH))
    # The run counts' id sequence (the summary has no id).
    cursor.execute(
        "SELECT pg_get_serial_sequence(%s, attname) FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'",
        [old, old],
    )
    sequence = (cursor.fetchone() or (None,))[0]
    if sequence:
        cursor.execute(f'ALTER SEQUENCE {sequence} RENAME TO "{old}_id_seq"')


def _constraints_rename(cursor, table_name: str) -> None:
    """Take the fresh suffix off the names of the constraints of `table_name` (and so of their indexes)."""
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [table_name])
    for (name,) in cursor.fetchall():
        if name.endswith(_FRESH):
            cursor.execute(f'ALTER TABLE "{table_name}" RENAME CONSTRAINT "{name}" TO "{name.removesuffix(_FRESH)}"')
