"""Period arithmetic of the summary counts: which month and day rows add up to a period.

No ORM: the grains are the values of `reporting.models.SummaryCount.Grain`, written out here so
these helpers import nothing of the database layer.
"""

from dataclasses import dataclass
from datetime import date, timedelta

DAY, MONTH = "day", "month"  # SummaryCount.Grain.DAY and .MONTH


@dataclass(frozen=True)
class PeriodPart:
    """One range of summary rows: those of one grain whose period starts on first..last."""

    grain: str
    first: date
    last: date


def period_parts(start: date, end: date, *, months: bool = True) -> list[PeriodPart]:
    """The summary rows that add up to the days start..end, each day counted once, as simple ranges.

    The whole months inside the period from month rows, the days of the partial months at its
    ends from day rows: at most three parts, each one range of the unique key.
    months False: the rows are of a level kept by day only (one commune and one course).
    """
    first_whole = start if start.day == 1 else month_next(start)
    after_whole = month_next(end) if (end + timedelta(days=1)).day == 1 else end.replace(day=1)
    if not months or first_whole >= after_whole:
        return [PeriodPart(DAY, start, end)]
    parts = [PeriodPart(MONTH, first_whole, after_whole - timedelta(days=1))]
    if start < first_whole:
        parts.append(PeriodPart(DAY, start, first_whole - timedelta(days=1)))
    if after_whole <= end:
        parts.append(PeriodPart(DAY, after_whole, end))
    return parts


def month_next(day: date) -> date:
    """The first day of the month after the day's."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
