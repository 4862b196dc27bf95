"""What the dashboards and exports read: figures from the summary counts, for any period.

A period is read from month rows for the whole months inside it and day rows for the partial
months at either end, so a five-year national page reads a few thousand rows. Every section is
one grouped query, whatever the number of places, courses or events. A summary row holds every
counted kind in a column of its own (reporting.models.COUNTED_KINDS).
"""

import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext

from courses.models import Course, CourseRun
from learners.models import LearningEvent
from onetouch import scope
from onetouch.models import AudienceGroup, Commune, Province, User
from reporting.models import ALL, COUNTED_KINDS, UNKNOWN, FillState, RunCount, SummaryCount, Target, UnitMapping
from reporting.services import SUMMARY_COUNTS

Kind = LearningEvent.Kind

# The figures every table shows, in order; the names are the Figures attributes.
MEASURES = (
    "learners",
    "enrolments",
    "completions",
    "completion_rate",
    "certificates",
    "attendances",
    "completions_in_person",
)
# A day-by-day trend longer than this is shown week by week.
MAX_DAY_BUCKETS = 92
TOP_COURSES = 10
COURSE_RUNS = 20
COMPLETION_KINDS = (Kind.COURSE_COMPLETED, Kind.COMPLETED_IN_PERSON)


@dataclass(frozen=True)
class DashboardFilters:
    start: date
    end: date
    audience_group: str | None = None
    course_id: int | None = None
    units: str = "then"  # "then": units as they were; "now": old units added to today's
    trend: str = "day"  # "day" | "week" | "month"
    sort: str = "code"  # a column of the place table, "-" first for descending
    measure: str = "completions"  # what the map's circles show


@dataclass(frozen=True)
class Figures:
    learners: int = 0
    enrolments: int = 0
    unenrolments: int = 0
    completions: int = 0
    certificates: int = 0
    attendances: int = 0
    completions_in_person: int = 0
    completion_rate: float | None = None  # online completions per enrolment (None without enrolments)

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> "Figures":
        """Build the figures from event counts keyed by kind."""
        enrolments, completions = counts.get(Kind.ENROLLED, 0), counts.get(Kind.COURSE_COMPLETED, 0)
        return cls(
            learners=counts.get(Kind.LEARNER_JOINED, 0),
            enrolments=counts.get(Kind.ENROLLED, 0),
            unenrolments=counts.get(Kind.UNENROLLED, 0),
            completions=counts.get(Kind.COURSE_COMPLETED, 0),
            certificates=counts.get(Kind.CERTIFICATE_ISSUED, 0) - counts.get(Kind.CERTIFICATE_REVOKED, 0),
            attendances=counts.get(Kind.ATTENDED_IN_PERSON, 0),
            completions_in_person=counts.get(Kind.COMPLETED_IN_PERSON, 0),
            completion_rate=completions / enrolments if enrolments else None,
        )


@dataclass(frozen=True)
class PlaceRow:
    id: int
    code: str
    name: str
    figures: Figures


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


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    achieved: int

    @property
    def percent(self) -> float:
        return 100 * self.achieved / self.target.goal if self.target.goal else 0.0


@dataclass(frozen=True)
class Coverage:
    communes: int  # every commune of the province
    with_leaders: int  # communes where a commune leader completed a course
    with_digital_team: int  # communes where a digital team member completed a course
    covered: int  # communes with both

    @property
    def percent(self) -> float:
        return 100 * self.covered / self.communes if self.communes else 0.0


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
    refreshed_at: datetime | None
    course: Course | None = None
    trend_fell_back: bool = False


def course_list_readable(*, user: User) -> QuerySet[Course]:
    """Return the courses whose figures and names the user may read in statistics (onetouch.scope)."""
    return scope.filter_national_published_or_own(
        Course.objects.all(), user, province_field="owner_province", published_field="is_published"
    )


def course_list_for_filters(*, user: User) -> list[Course]:
    """Return what the course filter offers: the readable courses, by title."""
    return list(course_list_readable(user=user).only("id", "slug", "title").order_by("title", "id"))


def dashboard_get(*, filters: DashboardFilters, province: Province | None, courses: Sequence[Course]) -> Dashboard:
    """Return every section of the national page (province None) or of one province's page.

    `courses` are those the viewer may read (course_list_for_filters): the top courses and the
    course runs show only these, so no title of another province's course reaches the page.
    """
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            # A page is a dozen small index ranges: starting parallel workers (a few milliseconds
            # each) would cost more than they save.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _dashboard_read(filters, province, {course.id: course for course in courses})


def _dashboard_read(filters: DashboardFilters, province: Province | None, courses: dict[int, Course]) -> Dashboard:
    mapping = _unit_mapping(filters.units)
    place = _place_rows(province, mapping)
    summed = {**place, "commune_id": ALL, **_course_rows(filters.course_id), **_audience_rows(filters.audience_group)}
    trend_grain = filters.trend
    if trend_grain == "day" and (filters.end - filters.start).days + 1 > MAX_DAY_BUCKETS:
        trend_grain = "week"
    by_audience = _by_audience(summed, period_parts(filters.start, filters.end))
    units, unit_counts = _unit_counts(filters, province, mapping)
    places, unplaced = _places(units, unit_counts, filters)
    return Dashboard(
        filters=filters,
        province=province,
        course=courses.get(filters.course_id),
        totals=Figures.from_counts(_sum_counts(row.figures_counts for row in by_audience)),
        by_audience=[row.as_row() for row in by_audience],
        places=places,
        unplaced=unplaced,
        trend=_trend(summed, filters.start, filters.end, trend_grain),
        trend_grain=trend_grain,
        trend_fell_back=trend_grain != filters.trend,
        top_courses=_top_courses(filters, place, courses),
        targets=_targets(filters, province, mapping),
        course_runs=_course_runs(filters, province, courses),
        coverage=_coverage(units, unit_counts) if province else None,
        refreshed_at=FillState.objects.filter(statistic=SUMMARY_COUNTS).values_list("updated_at", flat=True).first(),
    )


@dataclass(frozen=True)
class PeriodPart:
    """One range of summary rows: those of one grain whose period starts on first..last."""

    grain: str
    first: date
    last: date

    def q(self) -> Q:
        return Q(grain=self.grain, period_start__range=(self.first, self.last))


def period_parts(start: date, end: date, *, months: bool = True) -> list[PeriodPart]:
    """The summary rows that add up to the days start..end, each day counted once, as simple ranges.

    The whole months inside the period from month rows, the days of the partial months at its
    ends from day rows: at most three parts, each one range of the unique key.
    months False: the rows are of a level kept by day only (one commune and one course).
    """
    day, month = SummaryCount.Grain.DAY.value, SummaryCount.Grain.MONTH.value
    first_whole = start if start.day == 1 else _month_next(start)
    after_whole = _month_next(end) if (end + timedelta(days=1)).day == 1 else end.replace(day=1)
    if not months or first_whole >= after_whole:
        return [PeriodPart(day, start, end)]
    parts = [PeriodPart(month, first_whole, after_whole - timedelta(days=1))]
    if start < first_whole:
        parts.append(PeriodPart(day, start, first_whole - timedelta(days=1)))
    if after_whole <= end:
        parts.append(PeriodPart(day, after_whole, end))
    return parts


def period_q(start: date, end: date, *, months: bool = True) -> Q:
    """Match the summary rows that add up to the days start..end (period_parts as one condition)."""
    return reduce(operator.or_, (part.q() for part in period_parts(start, end, months=months)))


def _month_next(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


# --- Places --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitMap:
    """Old unit ids to today's, per level; empty when the page shows units as they were."""

    provinces: dict[int, int]
    communes: dict[int, int]

    def province(self, unit_id: int) -> int:
        return self.provinces.get(unit_id, unit_id)

    def commune(self, unit_id: int) -> int:
        return self.communes.get(unit_id, unit_id)


def _unit_mapping(units: str) -> _UnitMap:
    mapping = _UnitMap(provinces={}, communes={})
    if units == "now":
        for level, old_id, new_id in UnitMapping.objects.values_list("level", "old_id", "new_id"):
            target = mapping.provinces if level == UnitMapping.Level.PROVINCE else mapping.communes
            target[old_id] = new_id
    return mapping


# The rows a section reads are given as Django lookups of the summary's columns, each a value or,
# ending in "__in", a list: {"province_id__in": [1, 2], "commune_id": ALL}. The same dictionary
# makes a Q for the ORM (targets) and a WHERE clause for the SQL of _sums_by.
Rows = dict[str, int | str | list]


def _place_rows(province: Province | None, mapping: _UnitMap) -> Rows:
    """The rows of the whole country, or of the province with the old provinces it took over."""
    if province is None:
        return {"province_id": ALL}
    old_ids = [old for old, new in mapping.provinces.items() if new == province.id]
    return {"province_id__in": [province.id, *old_ids]}


def _course_rows(course_id: int | None) -> Rows:
    return {"course_id": course_id if course_id else ALL}


def _audience_rows(audience_group: str | None) -> Rows:
    return {"audience_group": audience_group} if audience_group is not None else {}


def _unit_counts(
    filters: DashboardFilters, province: Province | None, mapping: _UnitMap
) -> tuple[list, dict[tuple[int, str], dict[str, int]]]:
    """The units the page lists (every province, or every commune of the province) and their counts.

    The counts are keyed by (unit of today, audience group), for every group whatever the page's
    filter, so the province page's coverage is read from the same rows as its commune table.
    UNKNOWN stands for the learners whose place was not known.
    """
    rows = _course_rows(filters.course_id)
    if province is None:
        units = list(Province.objects.order_by("code").only("code", "name"))
        rows |= {"province_id__in": [*_ids_with_old(units, mapping.provinces), UNKNOWN], "commune_id": ALL}
        parts, unit_key, unit_now = period_parts(filters.start, filters.end), "province_id", mapping.province
    else:
        units = list(Commune.objects.filter(province=province).order_by("code").only("code", "name"))
        rows |= _place_rows(province, mapping) | {"commune_id__in": [*_ids_with_old(units, mapping.communes), UNKNOWN]}
        # One course's commune rows are kept by day only; all courses' by month too.
        parts = period_parts(filters.start, filters.end, months=not filters.course_id)
        unit_key, unit_now = "commune_id", mapping.commune
    counts = defaultdict(lambda: defaultdict(int))
    for (unit_id, group), sums in _sums_by(rows, parts, (unit_key, "audience_group")).items():
        unit_counts = counts[(unit_now(unit_id), group)]
        for kind, total in sums.items():
            unit_counts[kind] += total
    return units, counts


def _places(
    units: list, counts: dict[tuple[int, str], dict[str, int]], filters: DashboardFilters
) -> tuple[list[PlaceRow], Figures | None]:
    """A row for every unit, zero ones included, in the page's audience group, sorted as asked.

    Also the figures of the learners whose place was not known (None when there were none), so
    the rows and that line add up to the totals.
    """
    by_unit = defaultdict(lambda: defaultdict(int))
    for (unit_id, group), sums in counts.items():
        if filters.audience_group is None or group == filters.audience_group:
            for kind, total in sums.items():
                by_unit[unit_id][kind] += total
    places = [PlaceRow(u.id, u.code, u.name, Figures.from_counts(by_unit[u.id])) for u in units]
    unplaced = Figures.from_counts(by_unit[UNKNOWN]) if any(by_unit[UNKNOWN].values()) else None
    return _places_sort(places, filters.sort), unplaced


def _ids_with_old(units: list, successors: dict[int, int]) -> list[int]:
    """The ids of these units and of the old units mapped onto them.

    Summary rows are read by an explicit list of places rather than a range such as "every
    province": the unique index (province, commune, course, grain, period) is then probed once
    per place for exactly the rows of the period, instead of scanning every finer row.
    """
    ids = {unit.id for unit in units}
    return sorted(ids | {old for old, new in successors.items() if new in ids})


def _places_sort(places: list[PlaceRow], sort: str) -> list[PlaceRow]:
    column = sort.lstrip("-")

    def key(place: PlaceRow):
        if column in ("code", "name"):
            return getattr(place, column)
        value = getattr(place.figures, column)
        return (value is not None, value or 0)  # places without a rate sort below a zero rate

    return sorted(places, key=key, reverse=sort.startswith("-"))


# --- Sections -----------------------------------------------------------------------------------


@dataclass
class _AudienceCounts:
    audience_group: str
    figures_counts: dict[str, int]

    def as_row(self) -> AudienceRow:
        label = AudienceGroup(self.audience_group).label if self.audience_group else gettext("Not known")
        return AudienceRow(self.audience_group, str(label), Figures.from_counts(self.figures_counts))


def _sums_by(rows: Rows, parts: list[PeriodPart], keys: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """Every counted kind of the rows in the period parts, summed by `keys`, in one query.

    Each part is grouped on its own and the groups joined by UNION ALL, then added up here: with
    the parts OR-ed in one WHERE, PostgreSQL would read the day rows of the whole period through
    the index and throw most away, where each part alone is one tight index-only range.
    The SQL is written here rather than by the ORM: building and compiling the same queryset took
    about 5 ms a query, more than PostgreSQL took to answer it, on every page.
    """
    where, where_params = _where_sql(rows)
    columns = ", ".join(keys)
    sums = ", ".join(f"SUM({kind})" for kind in COUNTED_KINDS)
    table = connection.ops.quote_name(SummaryCount._meta.db_table)
    part_sql = (
        f"SELECT {columns}, {sums} FROM {table} "
        f"WHERE {where} AND grain = %s AND period_start BETWEEN %s AND %s GROUP BY {columns}"
    )
    params = [value for part in parts for value in (*where_params, part.grain, part.first, part.last)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([part_sql] * len(parts)), params)
        rows_read = cursor.fetchall()
    totals: dict[tuple, list[int]] = {}
    for row in rows_read:
        key, counts = row[: len(keys)], row[len(keys) :]
        if key in totals:  # the same group in another part of the period
            totals[key] = [total + count for total, count in zip(totals[key], counts, strict=True)]
        else:
            totals[key] = list(counts)
    return {key: dict(zip(COUNTED_KINDS, counts, strict=True)) for key, counts in totals.items()}


def _where_sql(rows: Rows) -> tuple[str, list]:
    """The WHERE clause (without the word) and parameters matching the rows' lookups."""
    conditions, params = [], []
    for lookup, value in rows.items():
        column, _, operator = lookup.partition("__")
        if operator == "in":
            conditions.append(f"{column} IN ({', '.join(['%s'] * len(value))})" if value else "1 = 0")
            params.extend(value)
        else:
            conditions.append(f"{column} = %s")
            params.append(value)
    return " AND ".join(conditions) or "1 = 1", params


def _by_audience(summed: Rows, parts: list[PeriodPart]) -> list[_AudienceCounts]:
    counts = {group: dict(sums) for (group,), sums in _sums_by(summed, parts, ("audience_group",)).items()}
    order = [*AudienceGroup.values, ""]
    return [_AudienceCounts(group, counts[group]) for group in order if group in counts]


def _sum_counts(many) -> dict[str, int]:
    total = defaultdict(int)
    for counts in many:
        for kind, n in counts.items():
            total[kind] += n
    return total


def _trend(summed: Rows, start: date, end: date, grain: str) -> list[tuple[date, Figures]]:
    """One bucket per day, ISO week (from Monday) or month of the period, empty ones included."""
    if grain == "month":
        parts = period_parts(start, end)
        bucket = lambda day: day.replace(day=1)  # noqa: E731
    else:
        parts = period_parts(start, end, months=False)
        bucket = (lambda day: day) if grain == "day" else (lambda day: day - timedelta(days=day.weekday()))
    counts = defaultdict(lambda: defaultdict(int))
    for (day,), sums in _sums_by(summed, parts, ("period_start",)).items():
        day_bucket = counts[bucket(day)]
        for kind, total in sums.items():
            day_bucket[kind] += total
    buckets, day = [], bucket(start)
    while day <= end:
        buckets.append((day, Figures.from_counts(counts[day])))
        day = _month_next(day) if grain == "month" else day + timedelta(days=1 if grain == "day" else 7)
    return buckets


def _viewer_course_ids(filters: DashboardFilters, courses: dict[int, Course]) -> list[int]:
    """The chosen course if the viewer may read it, else every course they may read."""
    if filters.course_id:
        return [filters.course_id] if filters.course_id in courses else []
    return list(courses)


def _top_courses(filters: DashboardFilters, place: Rows, courses: dict[int, Course]) -> list[CourseRow]:
    """The viewer's courses with the most enrolments in the period, with their online completions."""
    course_ids = _viewer_course_ids(filters, courses)
    # The courses as a list, for the index (see _ids_with_old).
    rows = {**place, "commune_id": ALL, "course_id__in": course_ids, **_audience_rows(filters.audience_group)}
    sums = _sums_by(rows, period_parts(filters.start, filters.end), ("course_id",))
    top = sorted(
        ((course_id, counts[Kind.ENROLLED], counts[Kind.COURSE_COMPLETED]) for (course_id,), counts in sums.items()),
        key=lambda row: (-row[1], -row[2], row[0]),
    )[:TOP_COURSES]
    return [
        CourseRow(course_id, courses[course_id].slug, courses[course_id].title, enrolled, completed)
        for course_id, enrolled, completed in top
    ]


def _targets(filters: DashboardFilters, province: Province | None, mapping: _UnitMap) -> list[TargetProgress]:
    """The targets overlapping the period (the province's own and the national ones), with progress.

    Progress counts the target's measure over the target's own dates, whatever the page's period;
    in today's units a province's target also counts the old provinces it took over.
    """
    targets = list(
        Target.objects.filter(starts_on__lte=filters.end, ends_on__gte=filters.start)
        .filter(Q(province__isnull=True) | Q(province=province) if province else Q(province__isnull=True))
        .select_related("province")
        .order_by("province_id", "starts_on", "name")
    )
    if not targets:
        return []
    rows = {
        target.id: period_q(target.starts_on, target.ends_on)
        & Q(**_place_rows(target.province, mapping), commune_id=ALL, course_id=ALL)
        & Q(**_audience_rows(target.audience_group or None))
        for target in targets
    }
    sums = {f"t{target.id}": Sum(target.measure, filter=rows[target.id], default=0) for target in targets}
    achieved = SummaryCount.objects.filter(reduce(operator.or_, rows.values())).aggregate(**sums)
    return [TargetProgress(target, achieved[f"t{target.id}"]) for target in targets]


def _course_runs(
    filters: DashboardFilters, province: Province | None, courses: dict[int, Course]
) -> list[CourseRunRow]:
    """Completion rate of the runs of the viewer's courses overlapping the period, the largest first.

    Counted by the fold per run (RunCount): a run's enrolments and completions whatever their day.
    """
    runs = CourseRun.objects.filter(
        starts_on__lte=filters.end,
        ends_on__gte=filters.start,
        course_id__in=_viewer_course_ids(filters, courses),
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


def _coverage(communes: list[Commune], counts: dict[tuple[int, str], dict[str, int]]) -> Coverage:
    """How many communes had a course completed by a commune leader and by a digital team member."""
    reached = defaultdict(set)
    for (commune_id, group), sums in counts.items():
        if any(sums.get(kind, 0) for kind in COMPLETION_KINDS):
            reached[group].add(commune_id)
    commune_ids = {commune.id for commune in communes}
    leaders = reached[AudienceGroup.COMMUNE_LEADER] & commune_ids
    digital_team = reached[AudienceGroup.DIGITAL_TEAM] & commune_ids
    return Coverage(
        communes=len(commune_ids),
        with_leaders=len(leaders),
        with_digital_team=len(digital_team),
        covered=len(leaders & digital_team),
    )
