"""The targets a dashboard shows and how far each has come, counted over the target's own dates."""

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db.models import F, Q, Sum
from django.db.models.expressions import CombinedExpression

from learners.models import LearningEvent
from onetouch.models import Province
from reporting.models import ALL, SummaryTotal, Target
from reporting.pure.periods import period_parts
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.selectors.places import UnitMap, place_rows
from reporting.selectors.summary_sql import audience_rows

Kind = LearningEvent.Kind


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    achieved: int

    @property
    def percent(self) -> float:
        return 100 * self.achieved / self.target.goal if self.target.goal else 0.0


def target_progress_list(
    *, filters: DashboardFilters, province: Province | None, mapping: UnitMap
) -> list[TargetProgress]:
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
        target.id: _period_q(target.starts_on, target.ends_on)
        & Q(**place_rows(target.province, mapping), commune_id=ALL, course_id=ALL)
        & Q(**audience_rows(target.audience_group or None))
        for target in targets
    }
    sums = {f"t{target.id}": Sum(_measure(target.measure), filter=rows[target.id], default=0) for target in targets}
    # The summary and the fold's recent rows, summed (docs/decisions/0025).
    achieved = SummaryTotal.objects.filter(reduce(operator.or_, rows.values())).aggregate(**sums)
    return [TargetProgress(target, achieved[f"t{target.id}"]) for target in targets]


def _measure(measure: str) -> F | CombinedExpression:
    """The summary column a target counts; attendances net of those withdrawn, as the dashboards show them."""
    if measure == Target.Measure.ATTENDANCES:
        return F(Kind.ATTENDED_IN_PERSON) - F(Kind.ATTENDANCE_WITHDRAWN)
    return F(measure)


def _period_q(start: date, end: date) -> Q:
    """Match the summary rows that add up to the days start..end (the period's parts as one condition)."""
    parts = period_parts(start, end)
    return reduce(operator.or_, (Q(grain=part.grain, period_start__range=(part.first, part.last)) for part in parts))
