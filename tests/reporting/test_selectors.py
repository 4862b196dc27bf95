"""The dashboard selector: periods, units, coverage, targets and a bounded number of queries."""

from datetime import date, timedelta

import pytest

from courses.models import Course, CourseRun
from onetouch.models import Commune, Province
from reporting.models import ALL, RunCount, SummaryCount, Target, UnitMapping
from reporting.selectors.courses import course_list_for_filters
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.selectors.dashboards import dashboard_get
from tests.factories import course_make

pytestmark = pytest.mark.django_db


def counts_add(
    *,
    start: date,
    end: date,
    kind: str = "enrolled",
    per_day: int = 1,
    province_id: int = ALL,
    commune_id: int = ALL,
    course_id: int = ALL,
    audience_group: str = "public",
) -> None:
    """Add per_day to `kind` on each day of start..end and to the month rows that sum them, as the fold would."""
    key = dict(province_id=province_id, commune_id=commune_id, course_id=course_id, audience_group=audience_group)
    additions = {}
    day = start
    while day <= end:
        additions[("day", day)] = per_day
        month = ("month", day.replace(day=1))
        additions[month] = additions.get(month, 0) + per_day
        day += timedelta(days=1)
    existing = {
        (row.grain, row.period_start): row
        for row in SummaryCount.objects.filter(**key, period_start__range=(start.replace(day=1), end))
    }
    rows = [
        existing.get(period) or SummaryCount(grain=period[0], period_start=period[1], **key) for period in additions
    ]
    for row in rows:
        setattr(row, kind, getattr(row, kind) + additions[(row.grain, row.period_start)])
    SummaryCount.objects.bulk_create([row for row in rows if row._state.adding])
    SummaryCount.objects.bulk_update([row for row in rows if not row._state.adding], [kind])


def dashboard_read(*, filters: DashboardFilters, province: Province | None):
    """The dashboard as ministry staff read it: every course."""
    return dashboard_get(filters=filters, province=province, courses=list(Course.objects.all()))


def national(start: date, end: date, **filters):
    return dashboard_read(filters=DashboardFilters(start=start, end=end, **filters), province=None)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 20), date(2025, 3, 5)),  # partial month, a whole month, partial month
        (date(2025, 1, 1), date(2025, 3, 31)),  # whole months only
        (date(2025, 2, 3), date(2025, 2, 17)),  # inside one month
        (date(2024, 12, 31), date(2025, 2, 1)),  # one day at each end
        (date(2025, 2, 1), date(2025, 2, 28)),  # exactly one month
    ],
)
def test_period_counts_each_day_once(start, end):
    """Month rows for the whole months plus day rows at the ends add up to the sum of the day rows."""
    counts_add(start=date(2024, 11, 1), end=date(2025, 4, 30), per_day=3)

    dashboard = national(start, end)

    assert dashboard.totals.enrolments == 3 * ((end - start).days + 1)


def test_trend_buckets_days_weeks_and_months():
    """Weeks start on Monday; a day trend longer than 92 days falls back to weeks."""
    counts_add(start=date(2025, 1, 1), end=date(2025, 6, 30))

    by_week = national(date(2025, 1, 1), date(2025, 1, 31), trend="week").trend
    by_month = national(date(2025, 1, 15), date(2025, 3, 31), trend="month").trend
    too_long = national(date(2025, 1, 1), date(2025, 6, 30), trend="day")

    assert by_week[0] == (date(2024, 12, 30), by_week[0][1])
    assert [figures.enrolments for _start, figures in by_week] == [5, 7, 7, 7, 5]
    assert [(start, figures.enrolments) for start, figures in by_month] == [
        (date(2025, 1, 1), 17),
        (date(2025, 2, 1), 28),
        (date(2025, 3, 1), 31),
    ]
    assert too_long.trend_grain == "week" and too_long.trend_fell_back


def test_units_of_today_move_an_old_units_figures_to_its_successor(province_hanoi, province_hue):
    """With a mapping row, today's units add Huế's rows to Hà Nội; as they were, nothing moves."""
    day = date(2025, 5, 10)
    counts_add(start=day, end=day, province_id=province_hanoi.id, per_day=2)
    counts_add(start=day, end=day, province_id=province_hue.id, per_day=5)
    UnitMapping.objects.create(level="province", old_id=province_hue.id, new_id=province_hanoi.id, effective_on=day)

    def enrolments(units: str) -> dict[str, int]:
        places = national(day, day, units=units).places
        return {place.code: place.figures.enrolments for place in places if place.code in ("01", "46")}

    assert enrolments("then") == {"01": 2, "46": 5}
    assert enrolments("now") == {"01": 7, "46": 0}


def test_units_of_today_without_mapping_equal_units_as_they_were(province_hanoi):
    day = date(2025, 5, 10)
    counts_add(start=day, end=day, province_id=province_hanoi.id, per_day=2)

    assert national(day, day, units="now").places == national(day, day, units="then").places


def test_commune_mapping_moves_figures_on_the_province_page(province_hanoi, commune_hanoi):
    """A commune merged into another shows its figures under its successor."""
    old, new = province_hanoi.communes.exclude(id=commune_hanoi.id).order_by("code")[:2]
    day = date(2025, 5, 10)
    counts_add(start=day, end=day, province_id=province_hanoi.id, commune_id=old.id, per_day=4)
    UnitMapping.objects.create(level="commune", old_id=old.id, new_id=new.id, effective_on=day)

    filters = DashboardFilters(start=day, end=day, units="now")
    places = {p.id: p.figures.enrolments for p in dashboard_read(filters=filters, province=province_hanoi).places}

    assert places[old.id] == 0 and places[new.id] == 4


def test_province_page_lists_every_commune_including_zero_ones(province_hue, commune_hue):
    day = date(2025, 5, 10)
    counts_add(start=day, end=day, province_id=province_hue.id, commune_id=commune_hue.id, per_day=2)

    places = dashboard_read(filters=DashboardFilters(start=day, end=day), province=province_hue).places

    assert len(places) == Commune.objects.filter(province=province_hue).count() > 1
    assert {p.id: p.figures.enrolments for p in places}[commune_hue.id] == 2
    assert sum(p.figures.enrolments == 0 for p in places) == len(places) - 1


def test_coverage_needs_a_commune_leader_and_a_digital_team_member(province_hue):
    """Covered: a completion by each of the two groups (online or in person) in the same commune."""
    both, leaders_only, team_only = province_hue.communes.order_by("code")[:3]
    day = date(2025, 5, 10)
    for commune, group, kind in [
        (both, "commune_leader", "course_completed"),
        (both, "digital_team", "completed_in_person"),
        (leaders_only, "commune_leader", "course_completed"),
        (team_only, "digital_team", "course_completed"),
        (team_only, "commune_leader", "enrolled"),  # enrolled, not completed: not counted
    ]:
        counts_add(
            start=day, end=day, kind=kind, province_id=province_hue.id, commune_id=commune.id, audience_group=group
        )

    coverage = dashboard_read(filters=DashboardFilters(start=day, end=day), province=province_hue).coverage

    assert (coverage.covered, coverage.with_leaders, coverage.with_digital_team) == (1, 2, 2)
    assert coverage.communes == province_hue.communes.count()


def test_target_progress_counts_its_own_measure_group_place_and_dates(province_hue, province_hanoi):
    """Progress sums the target's measure between its own dates, whatever the page's period."""
    counts_add(start=date(2025, 1, 1), end=date(2025, 12, 31), kind="course_completed", audience_group="civil_servant")
    counts_add(start=date(2025, 1, 1), end=date(2025, 12, 31), kind="course_completed", audience_group="public")
    counts_add(start=date(2025, 3, 1), end=date(2025, 3, 31), kind="enrolled", province_id=province_hue.id, per_day=2)
    Target.objects.all().delete()
    national_target = Target.objects.create(
        name="Công chức", measure="course_completed", audience_group="civil_servant",
        starts_on=date(2025, 2, 10), ends_on=date(2025, 4, 20), goal=140,
    )  # fmt: skip
    hue_target = Target.objects.create(
        name="Huế ghi danh", measure="enrolled", province=province_hue,
        starts_on=date(2025, 3, 15), ends_on=date(2025, 6, 30), goal=100,
    )  # fmt: skip
    Target.objects.create(
        name="Hà Nội", measure="enrolled", province=province_hanoi,
        starts_on=date(2025, 3, 15), ends_on=date(2025, 6, 30), goal=100,
    )  # fmt: skip
    Target.objects.create(
        name="Năm trước", measure="enrolled", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31), goal=1
    )

    filters = DashboardFilters(start=date(2025, 4, 1), end=date(2025, 4, 30))
    on_national = dashboard_read(filters=filters, province=None).targets
    on_hue = dashboard_read(filters=filters, province=province_hue).targets

    assert [(p.target, p.achieved) for p in on_national] == [(national_target, 70)]
    assert on_national[0].percent == 50
    assert {p.target: p.achieved for p in on_hue} == {national_target: 70, hue_target: 34}


def test_province_target_in_todays_units_counts_the_old_provinces_it_took_over(province_hue, province_hanoi):
    day = date(2025, 5, 10)
    counts_add(start=day, end=day, province_id=province_hue.id, per_day=3)
    counts_add(start=day, end=day, province_id=province_hanoi.id, per_day=5)  # Hà Nội here plays the old unit
    UnitMapping.objects.create(level="province", old_id=province_hanoi.id, new_id=province_hue.id, effective_on=day)
    target = Target.objects.create(
        name="Huế", measure="enrolled", province=province_hue, starts_on=day, ends_on=day, goal=10
    )

    def achieved(units: str) -> int:
        filters = DashboardFilters(start=day, end=day, units=units)
        (progress,) = dashboard_read(filters=filters, province=province_hue).targets
        assert progress.target == target
        return progress.achieved

    assert achieved("then") == 3
    assert achieved("now") == 8


def test_learners_of_no_known_place_have_their_own_line_so_rows_add_up(province_hue):
    """Events of learners who gave no province (or no commune) are counted apart, not lost."""
    day = date(2025, 5, 10)
    commune = province_hue.communes.order_by("code").first()
    counts_add(start=day, end=day, per_day=9)  # the whole country
    counts_add(start=day, end=day, province_id=province_hue.id, per_day=7)
    counts_add(start=day, end=day, province_id=0, per_day=2)
    counts_add(start=day, end=day, province_id=province_hue.id, commune_id=commune.id, per_day=4)
    counts_add(start=day, end=day, province_id=province_hue.id, commune_id=0, per_day=3)

    country = national(day, day)
    hue = dashboard_read(filters=DashboardFilters(start=day, end=day), province=province_hue)

    assert country.unplaced.enrolments == 2
    assert sum(p.figures.enrolments for p in country.places) + country.unplaced.enrolments == 9
    assert hue.unplaced.enrolments == 3
    assert sum(p.figures.enrolments for p in hue.places) + hue.unplaced.enrolments == 7
    assert national(date(2025, 6, 1), date(2025, 6, 1)).unplaced is None


def test_top_courses_and_audiences():
    day = date(2025, 5, 10)
    small, large, tiny = course_make(), course_make(), course_make()
    for course, enrolments in [(small, 5), (large, 9), (tiny, 1)]:
        counts_add(start=day, end=day, course_id=course.id, per_day=enrolments)
    counts_add(start=day, end=day, course_id=large.id, kind="course_completed", per_day=4)
    counts_add(start=day, end=day, per_day=15)
    counts_add(start=day, end=day, per_day=4, kind="course_completed", audience_group="civil_servant")

    dashboard = national(day, day)

    assert [(c.id, c.enrolments, c.completions) for c in dashboard.top_courses] == [
        (large.id, 9, 4),
        (small.id, 5, 0),
        (tiny.id, 1, 0),
    ]
    assert [(row.audience_group, row.figures.completions) for row in dashboard.by_audience] == [
        ("civil_servant", 4),
        ("public", 0),
    ]
    assert national(day, day, audience_group="civil_servant").totals.enrolments == 0


def many_counts_add(*, size: int) -> None:
    """Rows for every province, `size` communes and courses of Huế, over a year."""
    hue = Province.objects.get(code="46")
    communes = list(hue.communes.values_list("id", flat=True)[:size])
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    for province_id in Province.objects.values_list("id", flat=True):
        counts_add(start=start, end=end, province_id=province_id)
    for number, commune_id in enumerate(communes):
        counts_add(start=start, end=end, province_id=hue.id, commune_id=commune_id, kind="course_completed")
        counts_add(start=start, end=end, province_id=hue.id, course_id=1000 + number)
        counts_add(start=start, end=end, course_id=1000 + number)
    Target.objects.create(name="Một", measure="enrolled", starts_on=start, ends_on=end, goal=10)
    Target.objects.create(name="Hai", measure="enrolled", province=hue, starts_on=start, ends_on=end, goal=10)


@pytest.mark.parametrize("size", [2, 40])
@pytest.mark.parametrize("units", ["then", "now"])
def test_query_count_does_not_grow_with_the_data(size, units, django_assert_max_num_queries, province_hue):
    many_counts_add(size=size)
    filters = DashboardFilters(start=date(2025, 1, 20), end=date(2025, 11, 5), units=units, trend="week")
    courses = list(Course.objects.all())

    with django_assert_max_num_queries(12):
        national_page = dashboard_get(filters=filters, province=None, courses=courses)
    with django_assert_max_num_queries(12):
        province_page = dashboard_get(filters=filters, province=province_hue, courses=courses)

    assert len(national_page.places) == 34
    assert {"Một", "Hai"} <= {progress.target.name for progress in province_page.targets}


def test_course_runs_show_their_completion_rate_and_the_provinces_own_learners(province_hanoi, province_hue):
    """A run's rate is completions per enrolment; a province page counts its own learners only."""
    course = course_make()
    run = CourseRun.objects.create(course=course, title="Đợt 1", starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 31))
    old = CourseRun.objects.create(course=course, title="Đợt cũ", starts_on=date(2024, 3, 1), ends_on=date(2024, 3, 31))
    # What the fold writes for 1 Hà Nội and 3 Huế enrolments in the run, one completion in each province.
    for province_id, enrolled, completed in [(province_hanoi.id, 1, 1), (province_hue.id, 3, 1), (ALL, 4, 2)]:
        RunCount.objects.create(course_run_id=run.id, province_id=province_id, kind="enrolled", count=enrolled)
        RunCount.objects.create(course_run_id=run.id, province_id=province_id, kind="course_completed", count=completed)
        RunCount.objects.create(course_run_id=old.id, province_id=province_id, kind="enrolled", count=50)
    filters = DashboardFilters(start=date(2025, 3, 10), end=date(2025, 4, 10))

    (everywhere,) = dashboard_read(filters=filters, province=None).course_runs
    (in_hue,) = dashboard_read(filters=filters, province=province_hue).course_runs

    assert (everywhere.title, everywhere.enrolments, everywhere.completions) == ("Đợt 1", 4, 2)
    assert (in_hue.enrolments, in_hue.completions, round(in_hue.completion_rate, 3)) == (3, 1, 0.333)


def test_top_courses_and_runs_name_only_the_viewers_courses(admin_hanoi, province_hanoi, province_hue):
    """Hà Nội learners in a course Huế withdrew count in the totals, but Hà Nội's admin is never shown its name."""
    day = date(2025, 5, 10)
    national = course_make(title="Khóa học quốc gia")
    hue = course_make(title="Khóa học Huế đã rút về", province=province_hue, is_published=False)
    for course, enrolments in ((national, 2), (hue, 5)):
        counts_add(start=day, end=day, province_id=province_hanoi.id, course_id=course.id, per_day=enrolments)
        run = CourseRun.objects.create(course=course, title=f"Đợt {course.title}", starts_on=day, ends_on=day)
        RunCount.objects.create(course_run_id=run.id, province_id=province_hanoi.id, kind="enrolled", count=enrolments)
    counts_add(start=day, end=day, province_id=province_hanoi.id, per_day=7)
    filters = DashboardFilters(start=day, end=day)

    dashboard = dashboard_get(
        filters=filters, province=province_hanoi, courses=course_list_for_filters(user=admin_hanoi)
    )

    assert dashboard.totals.enrolments == 7
    assert [(row.slug, row.title, row.enrolments) for row in dashboard.top_courses] == [
        (national.slug, "Khóa học quốc gia", 2)
    ]
    assert [row.course_title for row in dashboard.course_runs] == ["Khóa học quốc gia"]
    everything = dashboard_read(filters=filters, province=province_hanoi)
    assert [row.title for row in everything.top_courses] == ["Khóa học Huế đã rút về", "Khóa học quốc gia"]
