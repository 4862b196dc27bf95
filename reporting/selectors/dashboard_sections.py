"""The dashboard sections beside the place table: by audience group, the trend, top courses, course runs.

Each is one query: the summary counts through `summary_sql.sums_by`, the course runs from RunCount.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils.translation import gettext

from courses.models import Course, CourseRun
from onetouch.models import AudienceGroup, Province
from reporting.models import ALL, RunCount
from reporting.pure.periods import PeriodPart, month_next, period_parts
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.selectors.figures import Figures, Kind
from reporting.selectors.summary_sql import Rows, audience_rows, sums_by

TOP_COURSES = 10
COURSE_RUNS = 20


@dataclass(frozen=True)
class AudienceRow:
    audience_group: str  # "" for learners whose group was not known
    label: str
    figures: Figures


@dataclass(frozen=True)
class CourseRow:
    id: int
    slug: str
    title: str
    enrolments: int
    completions: int


@dataclass(frozen=True)
class CourseRunRow:
    id: int
    title: str
    course_title: str
    starts_on: date
    ends_on: date
    enrolments: int
    completions: int

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.enrolments if self.enrolments else None


@dataclass
class AudienceCounts:
    audience_group: str
    figures_counts: dict[str, int]

    def as_row(self) -> AudienceRow:
        label = AudienceGroup(self.audience_group).label if self.audience_group else gettext("Not known")
        return AudienceRow(self.audience_group, str(label), Figures.from_counts(self.figures_counts))


def audience_counts_list(summed: Rows, parts: list[PeriodPart]) -> list[AudienceCounts]:
    """The counts of the rows per audience group, in the groups' order, "not known" last."""
    counts = {group: dict(sums) for (group,), sums in sums_by(summed, parts, ("audience_group",)).items()}
    order = [*AudienceGroup.values, ""]
    return [AudienceCounts(group, counts[group]) for group in order if group in counts]


def trend_list(summed: Rows, start: date, end: date, grain: str) -> list[tuple[date, Figures]]:
    """One bucket per day, ISO week (from Monday) or month of the period, empty ones included."""
    if grain == "month":
        parts = period_parts(start, end)
        bucket = lambda day: day.replace(day=1)  # noqa: E731
    else:
        parts = period_parts(start, end, months=False)
        bucket = (lambda day: day) if grain == "day" else (lambda day: day - timedelta(days=day.weekday()))
    counts = defaultdict(lambda: defaultdict(int))
    for (day,), sums in sums_by(summed, parts, ("period_start",)).items():
        day_bucket = counts[bucket(day)]
        for kind, total in sums.items():
            day_bucket[kind] += total
    buckets, day = [], bucket(start)
    while day <= end:
        buckets.append((day, Figures.from_counts(counts[day])))
        day = month_next(day) if grain == "month" else day + timedelta(days=1 if grain == "day" else 7)
    return buckets


def viewer_course_ids(filters: DashboardFilters, courses: dict[int, Course]) -> list[int]:
    """The chosen course if the viewer may read it, else every course they may read."""
    if filters.course_id:
        return [filters.course_id] if filters.course_id in courses else []
    return list(courses)


def top_courses_list(filters: DashboardFilters, place: Rows, courses: dict[int, Course]) -> list[CourseRow]:
    """The viewer's courses with the most enrolments in the period, with their online completions."""
    course_ids = viewer_course_ids(filters, courses)
    # The courses as a list, for the index (see places._ids_with_old).
    rows = {**place, "commune_id": ALL, "course_id__in": course_ids, **audience_rows(filters.audience_group)}
    sums = sums_by(rows, period_parts(filters.start, filters.end), ("course_id",))
    top = sorted(
        ((course_id, counts[Kind.ENROLLED], counts[Kind.COURSE_COMPLETED]) for (course_id,), counts in sums.items()),
        key=lambda row: (-row[1], -row[2], row[0]),
    )[:TOP_COURSES]
    return [
        CourseRow(course_id, courses[course_id].slug, courses[course_id].title, enrolled, completed)
        for course_id, enrolled, completed in top
    ]


def course_runs_list(
    filters: DashboardFilters, province: Province | None, courses: dict[int, Course]
) -> list[CourseRunRow]:
    """Completion rate of the runs of the viewer's courses overlapping the period, the largest first.

    Counted by the fold per run (RunCount): a run's enrolments and completions whatever their day.
    """
    runs = CourseRun.objects.filter(
        starts_on__lte=filters.end,
        ends_on__gte=filters.start,
        course_id__in=viewer_course_ids(filters, courses),
    )
    counts = RunCount.objects.filter(
        course_run_id__in=runs.values("id"),
        province_id=province.id if province else ALL,
        kind__in=[Kind.ENROLLED, Kind.COURSE_COMPLETED],
    )
    if filters.audience_group is not None:
        counts = counts.filter(audience_group=filters.audience_group)
    top = list(
        counts.values("course_run_id")
        .annotate(
            enrolled=Sum("count", filter=Q(kind=Kind.ENROLLED), default=0),
            completed=Sum("count", filter=Q(kind=Kind.COURSE_COMPLETED), default=0),
        )
        .order_by("-enrolled", "course_run_id")[:COURSE_RUNS]
    )
    details = CourseRun.objects.select_related("course").in_bulk([row["course_run_id"] for row in top])
    return [
        CourseRunRow(
            id=run.id,
            title=run.title,
            course_title=run.course.title,
            starts_on=run.starts_on,
            ends_on=run.ends_on,
            enrolments=row["enrolled"],
            completions=row["completed"],
        )
        for row in top
        if (run := details.get(row["course_run_id"]))
    ]
