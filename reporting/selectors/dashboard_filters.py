"""What a dashboard page asks for: its period and filters, as plain values (the forms build them)."""

from dataclasses import dataclass
from datetime import date


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
