"""Period arithmetic (reporting.pure.periods): whole months from month rows, partial days from day rows."""

from datetime import date

from reporting.models import SummaryCount
from reporting.pure.periods import DAY, MONTH, PeriodPart, period_parts


def test_grains_are_the_summary_grains():
    assert (DAY, MONTH) == (SummaryCount.Grain.DAY, SummaryCount.Grain.MONTH)


def test_a_period_is_its_whole_months_and_the_days_at_its_ends():
    assert period_parts(date(2025, 1, 20), date(2025, 3, 5)) == [
        PeriodPart(MONTH, date(2025, 2, 1), date(2025, 2, 28)),
        PeriodPart(DAY, date(2025, 1, 20), date(2025, 1, 31)),
        PeriodPart(DAY, date(2025, 3, 1), date(2025, 3, 5)),
    ]
    assert period_parts(date(2025, 2, 3), date(2025, 2, 17)) == [PeriodPart(DAY, date(2025, 2, 3), date(2025, 2, 17))]
    assert period_parts(date(2025, 1, 1), date(2025, 3, 31), months=False) == [
        PeriodPart(DAY, date(2025, 1, 1), date(2025, 3, 31))
    ]
