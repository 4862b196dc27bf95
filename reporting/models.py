from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from learners.models import LearningEvent
from onetouch.models import AudienceGroup


class DailyCount(models.Model):
    """How many learning events of one kind happened on one day, per place, audience group and course.

    The day is the calendar day in Asia/Ho_Chi_Minh. Province and commune are where the learner was
    when it happened; they are plain ids with 0 for "not known", so the unique key holds no NULL and
    the same upsert works on PostgreSQL and SQLite.
    """

    day = models.DateField(_("day"))
    province_id = models.PositiveIntegerField(_("province (0: not known)"))
    commune_id = models.PositiveIntegerField(_("commune (0: not known)"))
    audience_group = models.CharField(_("audience group"), max_length=32, choices=AudienceGroup.choices, blank=True)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    kind = models.CharField(_("kind"), max_length=32, choices=LearningEvent.Kind.choices)
    count = models.BigIntegerField(_("count"))

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "province_id", "commune_id", "audience_group", "course", "kind"],
                name="one_daily_count_per_key",
            ),
        ]
        indexes = [models.Index(fields=["province_id", "day"], name="daily_count_province_day")]

    def __str__(self) -> str:
        return f"{self.day} · {self.kind} · {self.course_id}: {self.count}"


class FillState(models.Model):
    """How far a statistic has been folded from the event log, written with its sums.

    On PostgreSQL the mark is a transaction id: every event written by a transaction below it is
    counted. On SQLite, where writers take turns, it is the last event id counted.
    """

    statistic = models.CharField(_("statistic"), max_length=64, unique=True)
    mark = models.BigIntegerField(_("high-water mark"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fill state")
        verbose_name_plural = _("fill states")

    def __str__(self) -> str:
        return f"{self.statistic}: {self.mark}"
