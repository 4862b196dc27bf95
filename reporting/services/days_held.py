"""Copy the in-person days that were held into the statistics (`DayCount`), once each, by the fold.

A day is held once it has started without being cancelled. From then on nothing about it can
change (inperson.services refuses changes, cancellation and seat moves once a day has started), so
the fold copies its province, date, course and the seats signed up at the start once, and the
dashboards read one row per day instead of its seats (docs/decisions/0019).
"""

from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from inperson.models import DaySeat, InPersonDay
from reporting.models import DayCount
from reporting.services.fold_sql import DAY_TIME_ZONE


@transaction.atomic
def days_held_add() -> int:
    """Add the days that have started, not cancelled and not copied yet; return how many.

    Run inside the fold's transaction (its own when called alone). The days are locked as seat
    writes lock them, so a sign-up that checked the start just before it is committed before its
    seat is counted; any later one finds the day started and is refused. Days are at most one per
    course run: checking every started day for its copy each minute costs little.
    """
    now = timezone.now()
    started = list(
        InPersonDay.objects.select_for_update(of=("self",))
        .filter(cancelled_at__isnull=True, starts_at__lte=now)
        .filter(~Exists(DayCount.objects.filter(day_id=OuterRef("pk"))))
        .select_related("course_run")
        .order_by("id")
        .only("id", "province_id", "starts_at", "course_run__id", "course_run__course_id")
    )
    if not started:
        return 0
    signed_up = dict(
        DaySeat.objects.filter(day__in=started, status=DaySeat.Status.SIGNED_UP)
        .values("day_id")
        .annotate(n=Count("id"))
        .values_list("day_id", "n")
    )
    vietnam = ZoneInfo(DAY_TIME_ZONE)
    DayCount.objects.bulk_create(
        [
            DayCount(
                day_id=day.id,
                course_run_id=day.course_run_id,
                course_id=day.course_run.course_id,
                province_id=day.province_id,
                held_on=timezone.localtime(day.starts_at, vietnam).date(),
                signed_up=signed_up.get(day.id, 0),
            )
            for day in started
        ],
        ignore_conflicts=True,
    )
    return len(started)
