"""The time rules of an in-person day, over plain dates and datetimes.

A day is one stretch of hours on one calendar day of the platform's time zone (Asia/Ho_Chi_Minh),
inside its run's dates, with a cancellation deadline no later than its start. The services turn the
problems found here into translated messages.
"""

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo


class TimeProblem(enum.Enum):
    NOT_AWARE = "not_aware"
    ENDS_NOT_AFTER_START = "ends_not_after_start"
    TWO_CALENDAR_DAYS = "two_calendar_days"
    OUTSIDE_RUN = "outside_run"
    DEADLINE_AFTER_START = "deadline_after_start"


def day_time_problems(
    *,
    starts_at: datetime,
    ends_at: datetime,
    cancellation_deadline: datetime,
    run_starts_on: date,
    run_ends_on: date,
    zone: ZoneInfo,
) -> dict[str, TimeProblem]:
    """Return each field's first problem (field name → problem); empty when the times are sound."""
    moments = {"starts_at": starts_at, "ends_at": ends_at, "cancellation_deadline": cancellation_deadline}
    problems = {name: TimeProblem.NOT_AWARE for name, moment in moments.items() if moment.utcoffset() is None}
    if problems:
        return problems
    if ends_at <= starts_at:
        problems["ends_at"] = TimeProblem.ENDS_NOT_AFTER_START
    elif starts_at.astimezone(zone).date() != ends_at.astimezone(zone).date():
        problems["ends_at"] = TimeProblem.TWO_CALENDAR_DAYS
    if not run_starts_on <= starts_at.astimezone(zone).date() <= run_ends_on:
        problems["starts_at"] = TimeProblem.OUTSIDE_RUN
    if cancellation_deadline > starts_at:
        problems["cancellation_deadline"] = TimeProblem.DEADLINE_AFTER_START
    return problems
