"""Recount the summary counts and course-run counts from the whole event log (`manage.py rebuild_statistics`)."""

from django.db import connection, transaction

from reporting.models import COUNTED_KINDS, SUMMARY_COUNTS, DayCount, FillState, RunCount, SummaryCount
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

_UNIQUE_KEY = "one_summary_count_per_key"


def statistics_rebuild() -> FoldResult:
    """Recount every summary count from the whole event log and reset the mark.

    Pages never see a half-built summary: they read the old counts until the new ones commit
    (on PostgreSQL they wait while the new rows are inserted, the last step).
    """
    with transaction.atomic():
        fold_lock_take(wait=True)
        state, _created = FillState.objects.select_for_update().get_or_create(statistic=SUMMARY_COUNTS)
        until = fold_mark_now()
        if connection.vendor == "postgresql":
            events = _counts_rebuild_postgresql(until=until)
        else:
            SummaryCount.objects.all().delete()
            RunCount.objects.all().delete()
            events = counts_add(since=None, until=until)
        DayCount.objects.all().delete()
        days_held_add()
        state.mark = until
        state.save(update_fields=["mark", "updated_at"])
        return FoldResult(events=events, mark=until)


def _counts_rebuild_postgresql(*, until: int) -> int:
    """Recount the summary from scratch the fast way: bulk inserts, the unique index built after.

    The events are grouped once into a temporary table (a plain parallel aggregate, the floor of
    any recount), its roll-ups are inserted without the unique index, which is then built in one
    sorted pass. Rows are only added, so no upsert is needed. Everything is in the caller's
    transaction: a failure leaves the old counts in place.
    """
    events = EventRange.of(None, until)
    delta, params = delta_sql(events)
    counts = table(SummaryCount)
    columns = ", ".join((*SUMMARY_KEY, *COUNTED_KINDS))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(f"CREATE TEMPORARY TABLE statistics_delta ON COMMIT DROP AS {delta}", params)
        cursor.execute("ANALYZE statistics_delta")
        added = events_count(cursor, events)
        cursor.execute(f"TRUNCATE {counts}, {table(RunCount)}")
        cursor.execute(f"ALTER TABLE {counts} DROP CONSTRAINT {_UNIQUE_KEY}")
        levels, rollups = rollups_sql("statistics_delta")
        cursor.execute(f"WITH {', '.join(levels)} INSERT INTO {counts} ({columns}) {rollups}")
        cursor.execute(f"ALTER TABLE {counts} ADD CONSTRAINT {_UNIQUE_KEY} {_summary_key_sql()}")
        run_counts_add(cursor, events)
    return added


def _summary_key_sql() -> str:
    """The summary's unique key on PostgreSQL: the model's columns in order, with every count included.

    With the counts in the index a dashboard query is an index-only scan over neighbouring entries.
    Migration 0005 holds a copy; the rebuild drops the key and adds it again.
    """
    (constraint,) = SummaryCount._meta.constraints
    return f"UNIQUE ({', '.join(constraint.fields)}) INCLUDE ({', '.join(COUNTED_KINDS)})"
