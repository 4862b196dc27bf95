"""A day as the iCalendar file a learner's calendar app reads (inperson.pure.calendar), in the active language."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from inperson.models import DayChange, InPersonDay
from inperson.pure.calendar import CalendarDay, day_calendar


def day_calendar_get(*, day: InPersonDay) -> bytes:
    """Return the day's .ics file: one event, its version the number of changes since it was scheduled.

    `day` comes with its run's course, venue commune and province (as the learner's selectors read it).
    """
    course = day.course_run.course
    day_url = f"{settings.SITE_URL}{reverse('inperson:learner_day', args=[day.id])}"
    location = ", ".join([day.venue_name, day.venue_address, day.venue_commune.name, day.province.name])
    lines = [f"{course.title} · {day.course_run.title}", location]
    if day.is_cancelled:
        lines.append(_("Cancelled: %(reason)s") % {"reason": day.cancel_reason})
    lines.append(day_url)
    return day_calendar(
        CalendarDay(
            day_id=day.id,
            site_host=urlsplit(settings.SITE_URL).hostname,
            sequence=day.changes.exclude(kind=DayChange.Kind.SCHEDULED).count(),
            starts_at=day.starts_at,
            ends_at=day.ends_at,
            summary=_("In-person day: %(course)s") % {"course": course.title},
            location=location,
            description="\n".join(lines),
            url=day_url,
            cancelled=day.is_cancelled,
            stamp=day.updated_at,
            organizer_email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        )
    )
