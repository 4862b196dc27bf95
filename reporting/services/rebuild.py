"""Recount the summary counts and course-run counts from the whole event log (`manage.py rebuild_statistics`).

On PostgreSQL the new counts are built into fresh tables beside the ones the pages read, then
swapped in under a lock held for milliseconds (docs/decisions/0025): a dashboard never waits for
a rebuild, it shows the old figures until the new ones are committed. On SQLite (the embedded
`make run`, one writer at a time) the rows are simply deleted and counted again.
"""

from collections.abc import Callable

from django.db import OperationalError, connection, transaction

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
_DELTA = "reporting_statistics_delta"  # the events grouped by the finest key, while the rebuild runs


def statistics_rebuild(*, before_swap: Callable[[], None] | None = None) -> FoldResult:
    """Recount every summary count from the whole event log and reset the mark.

    Everything happens in one transaction holding the fold's lock, so no fold runs meanwhile and
    the mark moves with the counts: a fold after the rebuild starts where it stopped, nothing
    counted twice or lost. `before_swap` is called once the new counts are built, just before
    they replace the old ones (tests hold the rebuild open there).
    """
    with transaction.atomic():
        fold_lock_take(wait=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        until = fold_mark_now()
        if connection.vendor == "postgresql":
            events = _counts_build_postgresql(until=until)
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


def _counts_build_postgresql(*, until: int) -> int:
    """Count every event into fresh summary and run-count tables; return how many events the log holds.

    The events are grouped once into a scratch table (a plain aggregate, the floor of any
    recount); its roll-ups are inserted into the fresh summary, which is written unlogged (no
    write-ahead log record per row), then logged in one sequential copy, and only then given its
    keys, built in one sorted pass each. Nothing touches the tables the pages read.
    """
    events = EventRange.of(None, until)
    delta, params = delta_sql(events)
    counts, runs = _fresh_table_create(SummaryCount, unlogged=True), _fresh_table_create(RunCount)
    columns = ", ".join((*SUMMARY_KEY, *COUNTED_KINDS))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Unlogged rather than temporary: parallel workers may read it, and it skips the small
        # temporary buffers. Created and dropped inside this transaction.
        cursor.execute(f"DROP TABLE IF EXISTS {_DELTA}")
        cursor.execute(f"CREATE UNLOGGED TABLE {_DELTA} AS {delta}", params)
        cursor.execute(f"ANALYZE {_DELTA}")
        added = events_count(cursor, events)
        levels, rollups = rollups_sql(_DELTA)
        cursor.execute(f"WITH {', '.join(levels)} INSERT INTO {counts} ({columns}) {rollups}")
        cursor.execute(f"DROP TABLE {_DELTA}")
        # Logged before the keys are built: the copy then holds the rows only, and replicas get them.
        cursor.execute(f"ALTER TABLE {counts} SET LOGGED")
        _fresh_indexes_create(cursor, SummaryCount)
        _fresh_indexes_create(cursor, RunCount)  # the run counts are upserted: their key comes first
        run_counts_add(cursor, events, into=runs)
    return added


def _fresh_table_create(model, *, unlogged: bool = False) -> str:
    """Create the empty fresh table of `model`: its columns, defaults, identity and storage settings, no index."""
    old, fresh = model._meta.db_table, model._meta.db_table + _FRESH
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{fresh}"')
        cursor.execute(
            f'CREATE {"UNLOGGED " if unlogged else ""}TABLE "{fresh}" '
            f'(LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)'
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
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [old],
    )
    for name, definition in cursor.fetchall():
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
    columns = ", ".join(("id", *SUMMARY_KEY, *COUNTED_KINDS))
    return (
        f'CREATE OR REPLACE VIEW "{SummaryTotal._meta.db_table}" AS SELECT {columns} FROM "{summary}" '  # noqa: S608
        f"UNION ALL SELECT {columns} FROM {table(RecentCount)}"
    )


def _sqlstate(error: OperationalError) -> str | None:
    """The SQLSTATE of the driver's error under Django's (psycopg2 calls it pgcode, psycopg sqlstate)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def _table_replace(cursor, old: str) -> None:
    """Drop the live table `old` and give its fresh one its name, its constraints' and its sequence's."""
    fresh = old + _FRESH
    cursor.execute(f'DROP TABLE "{old}"')
    cursor.execute(f'ALTER TABLE "{fresh}" RENAME TO "{old}"')
    # Renaming a constraint renames its index too.
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [old])
    for (name,) in cursor.fetchall():
        if name.endswith(_FRESH):
            cursor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{name}" TO "{name.removesuffix(_FRESH)}"')
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [old])
    (sequence,) = cursor.fetchone()
    if sequence:
        cursor.execute(f'ALTER SEQUENCE {sequence} RENAME TO "{old}_id_seq"')
