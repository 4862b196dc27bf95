"""An in-person day as an iCalendar file (RFC 5545): what "Add to my calendar" downloads and what
the day's emails attach.

Pure: plain values in, bytes out, no database. One day is one VEVENT whose UID never changes
(`day-<id>@<site host>`), so a calendar app that imported it replaces it when a new version comes:
SEQUENCE counts the day's changes, and a cancelled day comes with METHOD:CANCEL and
STATUS:CANCELLED so the app removes or strikes it. Times are written in UTC ("…Z"), which every
calendar app reads and shows in its own time zone.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress

PRODUCT_ID = "-//OneTouch//In-person days//VI"


@dataclass(frozen=True)
class CalendarDay:
    """What a calendar app shows of a day, already in the learner's language."""

    day_id: int
    site_host: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    url: str
    cancelled: bool
    # When this version of the day was written (DTSTAMP): its last change.
    stamp: datetime
    # The platform's sender address; calendar apps want an organiser for a cancellation.
    organizer_email: str = ""


def day_uid(*, day_id: int, site_host: str) -> str:
    """Return the day's UID, the same in every file about it."""
    return f"day-{day_id}@{site_host}"


def day_calendar(day: CalendarDay) -> bytes:
    """Return the iCalendar file of the day: METHOD:PUBLISH, or METHOD:CANCEL once it is cancelled."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if day.cancelled else "PUBLISH")
    event = Event()
    event.add("uid", day_uid(day_id=day.day_id, site_host=day.site_host))
    event.add("sequence", day.sequence)
    event.add("dtstamp", day.stamp.astimezone(UTC))
    event.add("dtstart", day.starts_at.astimezone(UTC))
    event.add("dtend", day.ends_at.astimezone(UTC))
    event.add("summary", day.summary)
    event.add("location", day.location)
    event.add("description", day.description)
    event.add("url", day.url)
    event.add("status", "CANCELLED" if day.cancelled else "CONFIRMED")
    if day.organizer_email:
        event.add("organizer", vCalAddress(f"mailto:{day.organizer_email}"))
    calendar.add_component(event)
    return calendar.to_ical()
