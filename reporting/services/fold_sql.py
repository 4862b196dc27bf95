"""The SQL that adds learning events to the summary counts and the course-run counts.

Shared by the fold (new events only, upserted) and the rebuild (every event, bulk inserted):
the events of a range are grouped once by day, place, course and group (`delta_sql`), and each
group is copied to every roll-up level (`rollups_sql`). Written for PostgreSQL and SQLite alike.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import connection

from learners.models import RUN_COUNT_KINDS, LearningEvent
from reporting.models import ALL, COUNTED_KINDS, RecentCount, RunCount, SummaryCount

# Vietnam has kept UTC+7 without daylight saving since 1975, so SQLite can use a fixed offset.
DAY_TIME_ZONE = "Asia/Ho_Chi_Minh"

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
SUMMARY_KEY = ("grain", "period_start", *_PLACES, "audience_group")

# What a course run's completion rate and its in-person day's attendance need (a run has at most
# one day, so the run's counts are the day's); the other kinds are counted by day only. The events
# of these kinds have an index of their own (learners.models.RUN_COUNT_KINDS).
RUN_KINDS = ", ".join(f"'{kind}'" for kind in RUN_COUNT_KINDS)


@dataclass(frozen=True)
class EventRange:
    """The WHERE clause and parameters of the events with since <= mark < until (since None: from the start)."""

    where: str
    params: list

    @classmethod
    def of(cls, since: int | None, until: int) -> "EventRange":
        column = "xact_id" if connection.vendor == "postgresql" else "id"
        where, params = [f"e.{column} < %s"], [until]
        if since is not None:
            where.append(f"e.{column} >= %s")
            params.append(since)
        return cls(" AND ".join(where), params)

    def during(self, first: date | None, end: date | None) -> "EventRange":
        """The events of this range whose day on Vietnam's calendar is from `first` until before `end` (None: open)."""
        where, params = [self.where], list(self.params)
        for day, comparison in ((first, ">="), (end, "<")):
            if day is not None:
                where.append(f"e.occurred_at {comparison} %s")
                params.append(datetime.combine(day, time(), tzinfo=ZoneInfo(DAY_TIME_ZONE)))
        return EventRange(" AND ".join(where), params)


def delta_sql(events: EventRange) -> tuple[str, list]:
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
        FROM {table(LearningEvent)} e
        WHERE {events.where} AND e.kind IN ({kinds})
        GROUP BY 1, 2, 3, 4, 5
    """
    return sql, params


def rollups_sql(finest: str, *, with_finest: bool = True) -> tuple[list[str], str]:
    """The roll-up levels of the finest rows (the relation `finest`) and one SELECT of every summary row.

    Returns the levels as CTE definitions ("by_commune AS (...)") and the SELECT that reads them,
    which leaves the finest rows themselves out unless `with_finest`. The copies' keys never meet
    (each level has its own mix of ALL columns), so the SELECT is ready for a plain INSERT or an
    upsert.
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
    copies = [f"SELECT '{day_grain}', day, {places_all}, audience_group, {kinds} FROM {finest}"] if with_finest else []
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


def counts_add(*, since: int | None, until: int, into=RecentCount) -> int:
    """Upsert the counts of the events in [since, until) (from the start if since is None); return how many.

    The new events are grouped once (`delta`), then each group is added to its day and month row
    at every roll-up level of `into`: the small table of recent rows for the fold, so the cost
    follows the number of new events, not the history (docs/decisions/0025).
    """
    events = EventRange.of(since, until)
    delta, params = delta_sql(events)
    counts = table(into)
    columns = ", ".join((*SUMMARY_KEY, *COUNTED_KINDS))
    additions = ", ".join(f"{kind} = {counts}.{kind} + EXCLUDED.{kind}" for kind in COUNTED_KINDS)
    levels, rollups = rollups_sql("delta")
    sql = f"""
        WITH {", ".join([f"delta AS ({delta})", *levels])}
        INSERT INTO {counts} ({columns})
        {rollups}
        WHERE true
        ON CONFLICT ({", ".join(SUMMARY_KEY)}) DO UPDATE SET {additions}
    """
    with connection.cursor() as cursor:
        # The upsert reports rows, not events; the range is indexed, so counting it apart is cheap.
        added = events_count(cursor, events)
        cursor.execute(sql, params)
        run_counts_add(cursor, events)
    return added


def events_count(cursor, events: EventRange) -> int:
    """How many events of any kind the range holds."""
    cursor.execute(f"SELECT COUNT(*) FROM {table(LearningEvent)} e WHERE {events.where}", events.params)
    return cursor.fetchone()[0]


def run_counts_add(cursor, events: EventRange, *, into: str | None = None) -> None:
    """Upsert the run counts of the events of the range, per province and for the whole country.

    `into` is the quoted table to write, the live RunCount table unless the rebuild gives its fresh one.
    """
    runs, run_key = into or table(RunCount), "course_run_id, province_id, audience_group, kind"
    cursor.execute(
        f"""
        WITH delta AS ({run_delta_sql(events)})
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


def run_delta_sql(events: EventRange) -> str:
    """The run kinds' events of the range counted by run, province, group and kind.

    Every column it reads is in the run counts' index (learners.models.RUN_COUNT_KINDS), so a
    recount of the whole log reads that index alone, not the log.
    """
    return f"""
        SELECT e.course_run_id, COALESCE(e.province_id, 0) AS province_id, e.audience_group, e.kind, COUNT(*) AS n
        FROM {table(LearningEvent)} e
        WHERE {events.where} AND e.course_run_id IS NOT NULL AND e.kind IN ({RUN_KINDS})
        GROUP BY 1, 2, 3, 4
    """


def table(model) -> str:
    """The model's table name, quoted for this database."""
    return connection.ops.quote_name(model._meta.db_table)
