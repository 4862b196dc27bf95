"""A dashboard page's every section, read from the summary counts for any period.

A period is read from month rows for the whole months inside it and day rows for the partial
months at either end (reporting.pure.periods), so a five-year national page reads a few thousand
rows. Every section is one grouped query, whatever the number of places, courses or events. A
summary row holds every counted kind in a column of its own (reporting.models.COUNTED_KINDS).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connections, transaction

from courses.models import Course
from onetouch.db_routers import read_alias
from onetouch.models import Province
from reporting.models import ALL, SUMMARY_COUNTS, FillState
from reporting.pure.periods import period_parts
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.selectors.dashboard_sections import (
    AudienceRow,
    CourseRow,
    CourseRunRow,
    audience_counts_list,
    course_runs_list,
    top_courses_list,
    trend_list,
    viewer_course_ids,
)
from reporting.selectors.days_held import DaysHeld, days_held_get
from reporting.selectors.figures import Figures, counts_sum
from reporting.selectors.places import (
    Coverage,
    PlaceRow,
    coverage_get,
    place_rows,
    places_list,
    unit_counts,
    unit_map_get,
)
from reporting.selectors.summary_sql import audience_rows, course_rows
from reporting.selectors.targets import TargetProgress, target_progress_list

# A day-by-day trend longer than this is shown week by week.
MAX_DAY_BUCKETS = 92


@dataclass
class Dashboard:
    filters: DashboardFilters
    province: Province | None
    totals: Figures
    places: list[PlaceRow]
    # Events of learners whose province (national page) or commune (province page) was not known.
    unplaced: Figures | None
    trend: list[tuple[date, Figures]]
    trend_grain: str  # the grain shown, "week" when a day trend was too long
    top_courses: list[CourseRow]
    by_audience: list[AudienceRow]
    targets: list[TargetProgress]
    course_runs: list[CourseRunRow]
    coverage: Coverage | None
    days_held: DaysHeld
    refreshed_at: datetime | None
    course: Course | None = None
    trend_fell_back: bool = False


def dashboard_get(*, filters: DashboardFilters, province: Province | None, courses: Sequence[Course]) -> Dashboard:
    """Return every section of the national page (province None) or of one province's page.

    `courses` are those the viewer may read (selectors.courses.course_list_for_filters): the top
    courses and the course runs show only these, so no title of another province's course reaches
    the page.
    """
    # Inside replica_reads() (onetouch.db_routers) the transaction is the replica's: every section
    # and the "as of" time are read from the same database, so the time shown is the figures' own.
    using = read_alias()
    with transaction.atomic(using=using, savepoint=False):
        connection = connections[using]
        if connection.vendor == "postgresql":
            # A page is a dozen small index ranges: starting parallel workers (a few milliseconds
            # each) would cost more than they save.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _dashboard_read(filters, province, {course.id: course for course in courses})


# The fold stamp this process read last, and until when (monotonic seconds) it uses it without asking.
_stamp_seen: tuple[str, float] = ("", 0.0)


def fold_stamp_get() -> str:
    """What changes with every fold and rebuild: the fill state's mark and time, as a cache key part.

    A process reuses the stamp it read for FOLD_STAMP_TRUST_SECONDS, so a dashboard viewed again is
    the cache's copy after the sign-in's two rows only; a fold then shows that much later, well
    inside the minute within which the figures promise to move.
    """
    global _stamp_seen
    stamp, trusted_until = _stamp_seen
    if time.monotonic() < trusted_until:
        return stamp
    state = FillState.objects.filter(statistic=SUMMARY_COUNTS).values_list("mark", "updated_at").first()
    stamp = f"{state[0]}.{state[1].timestamp():.6f}" if state else "none"
    _stamp_seen = (stamp, time.monotonic() + settings.FOLD_STAMP_TRUST_SECONDS)
    return stamp


def _dashboard_read(filters: DashboardFilters, province: Province | None, courses: dict[int, Course]) -> Dashboard:
    mapping = unit_map_get(filters.units)
    place = place_rows(province, mapping)
    summed = {**place, "commune_id": ALL, **course_rows(filters.course_id), **audience_rows(filters.audience_group)}
    trend_grain = filters.trend
    if trend_grain == "day" and (filters.end - filters.start).days + 1 > MAX_DAY_BUCKETS:
        trend_grain = "week"
    by_audience = audience_counts_list(summed, period_parts(filters.start, filters.end))
    units, counts = unit_counts(filters, province, mapping)
    places, unplaced = places_list(units, counts, filters)
    return Dashboard(
        filters=filters,
        province=province,
        course=courses.get(filters.course_id),
        totals=Figures.from_counts(counts_sum(row.figures_counts for row in by_audience)),
        by_audience=[row.as_row() for row in by_audience],
        places=places,
        unplaced=unplaced,
        trend=trend_list(summed, filters.start, filters.end, trend_grain),
        trend_grain=trend_grain,
        trend_fell_back=trend_grain != filters.trend,
        top_courses=top_courses_list(filters, place, courses),
        targets=target_progress_list(filters=filters, province=province, mapping=mapping),
        course_runs=course_runs_list(filters, province, courses),
        coverage=coverage_get(units, counts) if province else None,
        days_held=days_held_get(
            filters=filters,
            province=province,
            course_ids=viewer_course_ids(filters, courses),
            provinces=[] if province else units,
        ),
        refreshed_at=FillState.objects.filter(statistic=SUMMARY_COUNTS).values_list("updated_at", flat=True).first(),
    )
