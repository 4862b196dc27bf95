"""The in-person days held in a period: how many, their seats and attendance, per province and per partner.

Read from `DayCount` (one row per day held, copied by the fold when the day started) and the
course-run counts (`RunCount`: a run has at most one day, so its attendance events are the day's).
Three or four queries whatever the number of seats and events; each reads one row per day of the
period (docs/decisions/0019).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from inperson.models import InPersonDay
from learners.models import LearningEvent
from onetouch.models import Province
from reporting.models import ALL, DayCount, RunCount
from reporting.selectors.dashboard_filters import DashboardFilters

Kind = LearningEvent.Kind
_IN_PERSON_KINDS = (
    Kind.ATTENDED_IN_PERSON,
    Kind.ATTENDANCE_WITHDRAWN,
    Kind.COMPLETED_IN_PERSON,
    Kind.COMPLETED_IN_PERSON_WITHDRAWN,
)


@dataclass
class DayFigures:
    """Days held, the seats signed up when they started, and who attended (net of corrections)."""

    days: int = 0
    signed_up: int = 0
    attended: int = 0
    completed_in_person: int = 0

    @property
    def attendance_rate(self) -> float | None:
        """Attended per seat signed up at the start (None without seats)."""
        return self.attended / self.signed_up if self.signed_up else None

    def add(self, day: "DayFigures") -> None:
        self.days += day.days
        self.signed_up += day.signed_up
        self.attended += day.attended
        self.completed_in_person += day.completed_in_person


@dataclass(frozen=True)
class DayGroupRow:
    """One line of a days table: a province or a partner organisation, and its days' figures."""

    key: int
    name: str
    figures: DayFigures
    code: str = ""


@dataclass
class DaysHeld:
    totals: DayFigures = field(default_factory=DayFigures)
    by_province: list[DayGroupRow] = field(default_factory=list)  # only the provinces that held a day
    by_partner: list[DayGroupRow] = field(default_factory=list)  # a day of two partners counts for both


def days_held_get(
    *, filters: DashboardFilters, province: Province | None, course_ids: Iterable[int], provinces: Iterable[Province]
) -> DaysHeld:
    """The days held in the period, in the province (None: the whole country), of the viewer's courses.

    `provinces` names the provinces of the national page's table (the page has read them already).

    `course_ids` are the courses whose figures the viewer may read (the chosen one, or all of
    them): no day of another province's course is counted. Every audience group is counted: seats
    are not kept per group, so the audience filter does not apply here.
    """
    days = DayCount.objects.filter(held_on__range=(filters.start, filters.end), course_id__in=list(course_ids))
    if province is not None:
        days = days.filter(province_id=province.id)
    rows = list(days.values_list("day_id", "course_run_id", "province_id", "signed_up"))
    if not rows:
        return DaysHeld()
    attendance = _attendance_by_run([run_id for _day, run_id, _province, _seats in rows])
    figures = {
        day_id: DayFigures(1, signed_up, *attendance.get(run_id, (0, 0))) for day_id, run_id, _p, signed_up in rows
    }
    held = DaysHeld()
    for day in figures.values():
        held.totals.add(day)
    held.by_partner = _by_partner(figures)
    if province is None:
        held_in = {day_id: province_id for day_id, _r, province_id, _s in rows}
        held.by_province = _by_province(figures, held_in, {place.id: place for place in provinces})
    return held


def _attendance_by_run(run_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each run's attendances and in-person completions, net of withdrawals, every group and place."""
    counts = (
        RunCount.objects.filter(course_run_id__in=run_ids, province_id=ALL, kind__in=_IN_PERSON_KINDS)
        .values("course_run_id")
        .annotate(**{kind: Sum("count", filter=Q(kind=kind), default=0) for kind in _IN_PERSON_KINDS})
    )
    return {
        row["course_run_id"]: (
            row[Kind.ATTENDED_IN_PERSON] - row[Kind.ATTENDANCE_WITHDRAWN],
            row[Kind.COMPLETED_IN_PERSON] - row[Kind.COMPLETED_IN_PERSON_WITHDRAWN],
        )
        for row in counts
    }


def _by_partner(figures: dict[int, DayFigures]) -> list[DayGroupRow]:
    """The days' figures summed per partner organisation of the day, by name."""
    links = InPersonDay.partners.through.objects.filter(inpersonday_id__in=list(figures)).values_list(
        "inpersonday_id", "partner_id", "partner__name"
    )
    sums: dict[int, DayFigures] = defaultdict(DayFigures)
    names: dict[int, str] = {}
    for day_id, partner_id, name in links:
        sums[partner_id].add(figures[day_id])
        names[partner_id] = name
    rows = [DayGroupRow(partner_id, names[partner_id], day) for partner_id, day in sums.items()]
    return sorted(rows, key=lambda row: (-row.figures.days, row.name))


def _by_province(
    figures: dict[int, DayFigures], held_in: dict[int, int], places: dict[int, Province]
) -> list[DayGroupRow]:
    """The days' figures summed per province where they were held, by the province's code."""
    sums: dict[int, DayFigures] = defaultdict(DayFigures)
    for day_id, day in figures.items():
        sums[held_in[day_id]].add(day)
    rows = [DayGroupRow(pid, places[pid].name, day, code=places[pid].code) for pid, day in sums.items()]
    return sorted(rows, key=lambda row: row.code)
