"""Reads of in-person days for the API: the days a requester may post attendance for (docs/decisions/0035)."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from inperson.models import InPersonDay
from onetouch import scope
from onetouch.models import User


def days_for_api(*, user: User) -> QuerySet[InPersonDay]:
    """A partner's key: its partner organisation's days; anyone else: their province's days (all for the ministry)."""
    days = InPersonDay.objects.select_related("course_run__course")
    partner_id = getattr(user, "api_partner_id", None)
    if partner_id:
        return days.filter(partners__id=partner_id)
    return scope.filter_to_scope(days, user, province_field="province")


def day_get_for_api(*, user: User, day_id: int) -> InPersonDay:
    """Return the day if the requester may post its attendance, else 404 like a missing id."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(days_for_api(user=user), id=day_id)
