"""When a day's check-in is open, over plain datetimes.

The window opens an hour before the start (learners arrive early) and closes at the end; a
cancelled day has none. A trainer's phone that lost the network queues its scans and may send
them later: they are accepted until a day after the window closes, if the phone saw the code
inside the window, and never with a scan time in the future beyond a small clock skew.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

OPENS_BEFORE_START = timedelta(minutes=60)
QUEUED_SCANS_ACCEPTED_FOR = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class CheckInWindow:
    opens_at: datetime
    closes_at: datetime

    def holds(self, moment: datetime) -> bool:
        return self.opens_at <= moment <= self.closes_at


class ScanProblem(enum.Enum):
    NO_WINDOW = "no_window"
    IN_THE_FUTURE = "in_the_future"
    OUTSIDE_WINDOW = "outside_window"
    SENT_TOO_LATE = "sent_too_late"


def checkin_window(*, starts_at: datetime, ends_at: datetime, cancelled: bool) -> CheckInWindow | None:
    """Return the day's check-in window, or None for a cancelled day."""
    if cancelled:
        return None
    return CheckInWindow(opens_at=starts_at - OPENS_BEFORE_START, closes_at=ends_at)


def scan_time_problem(*, window: CheckInWindow | None, scanned_at: datetime, now: datetime) -> ScanProblem | None:
    """Return why a scan seen at `scanned_at` and received at `now` is refused, or None when it is accepted."""
    if window is None:
        return ScanProblem.NO_WINDOW
    if scanned_at > now + CLOCK_SKEW:
        return ScanProblem.IN_THE_FUTURE
    if not window.holds(scanned_at):
        return ScanProblem.OUTSIDE_WINDOW
    if now > window.closes_at + QUEUED_SCANS_ACCEPTED_FOR:
        return ScanProblem.SENT_TOO_LATE
    return None


def window_is_near(*, window: CheckInWindow | None, now: datetime, ahead: timedelta = timedelta(hours=3)) -> bool:
    """Return whether the learner should be offered their code now: the window is open or opens soon."""
    return window is not None and window.opens_at - ahead <= now <= window.closes_at
