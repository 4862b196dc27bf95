"""The dashboards' place table (provinces or a province's communes) and a province's coverage.

Both come from one query grouped by place and audience group; "today's units" adds the figures
of old units to their successors (UnitMapping).
"""

from collections import defaultdict
from dataclasses import dataclass

from onetouch.models import AudienceGroup, Commune, Province
from reporting.models import ALL, UNKNOWN, UnitMapping
from reporting.pure.periods import period_parts
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.selectors.figures import Figures, Kind
from reporting.selectors.summary_sql import Rows, course_rows, sums_by

COMPLETION_KINDS = (Kind.COURSE_COMPLETED, Kind.COMPLETED_IN_PERSON)


@dataclass(frozen=True)
class PlaceRow:
    id: int
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class Coverage:
    communes: int  # every commune of the province
    with_leaders: int  # communes where a commune leader completed a course
    with_digital_team: int  # communes where a digital team member completed a course
    covered: int  # communes with both

    @property
    def percent(self) -> float:
        return 100 * self.covered / self.communes if self.communes else 0.0


@dataclass(frozen=True)
class UnitMap:
    """Old unit ids to today's, per level; empty when the page shows units as they were."""

    provinces: dict[int, int]
    communes: dict[int, int]

    def province(self, unit_id: int) -> int:
        return self.provinces.get(unit_id, unit_id)

    def commune(self, unit_id: int) -> int:
        return self.communes.get(unit_id, unit_id)


def unit_map_get(units: str) -> UnitMap:
    """The old units and their successors when the page shows today's units ("now"), else none."""
    mapping = UnitMap(provinces={}, communes={})
    if units == "now":
        for level, old_id, new_id in UnitMapping.objects.values_list("level", "old_id", "new_id"):
            target = mapping.provinces if level == UnitMapping.Level.PROVINCE else mapping.communes
            target[old_id] = new_id
    return mapping


def place_rows(province: Province | None, mapping: UnitMap) -> Rows:
    """The rows of the whole country, or of the province with the old provinces it took over."""
    if province is None:
        return {"province_id": ALL}
    old_ids = [old for old, new in mapping.provinces.items() if new == province.id]
    return {"province_id__in": [province.id, *old_ids]}


def unit_counts(
    filters: DashboardFilters, province: Province | None, mapping: UnitMap
) -> tuple[list, dict[tuple[int, str], dict[str, int]]]:
    """The units the page lists (every province, or every commune of the province) and their counts.

    The counts are keyed by (unit of today, audience group), for every group whatever the page's
    filter, so the province page's coverage is read from the same rows as its commune table.
    UNKNOWN stands for the learners whose place was not known.
    """
    rows = course_rows(filters.course_id)
    if province is None:
        units = list(Province.objects.order_by("code").only("code", "name"))
        rows |= {"province_id__in": [*_ids_with_old(units, mapping.provinces), UNKNOWN], "commune_id": ALL}
        parts, unit_key, unit_now = period_parts(filters.start, filters.end), "province_id", mapping.province
    else:
        units = list(Commune.objects.filter(province=province).order_by("code").only("code", "name"))
        rows |= place_rows(province, mapping) | {"commune_id__in": [*_ids_with_old(units, mapping.communes), UNKNOWN]}
        # One course's commune rows are kept by day only; all courses' by month too.
        parts = period_parts(filters.start, filters.end, months=not filters.course_id)
        unit_key, unit_now = "commune_id", mapping.commune
    counts = defaultdict(lambda: defaultdict(int))
    for (unit_id, group), sums in sums_by(rows, parts, (unit_key, "audience_group")).items():
        unit_counts = counts[(unit_now(unit_id), group)]
        for kind, total in sums.items():
            unit_counts[kind] += total
    return units, counts


def places_list(
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


def coverage_get(communes: list[Commune], counts: dict[tuple[int, str], dict[str, int]]) -> Coverage:
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
