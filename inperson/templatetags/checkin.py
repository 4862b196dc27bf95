"""Template filters of check-in: whether a day's check-in code is worth offering now."""

from datetime import datetime

from django import template
from django.utils import timezone

from inperson.pure.checkin import checkin_window, window_is_near

register = template.Library()


@register.filter
def checkin_near(starts_at: datetime | None, ends_at: datetime | None) -> bool:
    """Return whether the check-in window of a day with these hours is open or opens within 3 hours."""
    if starts_at is None or ends_at is None:
        return False
    window = checkin_window(starts_at=starts_at, ends_at=ends_at, cancelled=False)
    return window_is_near(window=window, now=timezone.now())
