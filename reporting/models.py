from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learners.models import LearningEvent
from onetouch.models import AudienceGroup, Province

# In the place and course columns of a summary count: a row that sums every value of that column.
ALL = -1
# A place the learner had not given when the event happened.
UNKNOWN = 0


# The event kinds the summary counts, each in the column of its own name. Lesson and quiz events
# stay in the log only: no dashboard shows them, and each would add rows on days of their own.
COUNTED_KINDS: tuple[str, ...] = tuple(
    kind.value
    for kind in (
        LearningEvent.Kind.LEARNER_JOINED,
        LearningEvent.Kind.ENROLLED,
        LearningEvent.Kind.UNENROLLED,
        LearningEvent.Kind.COURSE_COMPLETED,
        LearningEvent.Kind.CERTIFICATE_ISSUED,
        LearningEvent.Kind.CERTIFICATE_REVOKED,
        LearningEvent.Kind.ATTENDED_IN_PERSON,
        LearningEvent.Kind.COMPLETED_IN_PERSON,
        # An attendance corrected to absent, and the in-person completion it takes back: counted
        # apart (the log is never rewritten), so the figures show attended minus withdrawn.
        LearningEvent.Kind.ATTENDANCE_WITHDRAWN,
        LearningEvent.Kind.COMPLETED_IN_PERSON_WITHDRAWN,
    )
)


class SummaryColumns(models.Model):
    """The columns of a summary row: its key (grain, period, place, course, group) and a count per kind.

    Shared by the summary (`SummaryCount`), the recent rows the fold writes (`RecentCount`) and the
    view that reads both (`SummaryTotal`).
    """

    class Grain(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")

    grain = models.CharField(_("grain"), max_length=8, choices=Grain.choices)
    period_start = models.DateField(_("first day of the period"))
    province_id = models.IntegerField(_("province (0: not known, -1: all)"))
    commune_id = models.IntegerField(_("commune (0: not known, -1: all)"))
    course_id = models.IntegerField(_("course (-1: all)"))
    audience_group = models.CharField(_("audience group"), max_length=32, choices=AudienceGroup.choices, blank=True)
    learner_joined = models.IntegerField(_("new learners"), default=0)
    enrolled = models.IntegerField(_("enrolments"), default=0)
    unenrolled = models.IntegerField(_("unenrolments"), default=0)
    course_completed = models.IntegerField(_("completions online"), default=0)
    certificate_issued = models.IntegerField(_("certificates issued"), default=0)
    certificate_revoked = models.IntegerField(_("certificates revoked"), default=0)
    attended_in_person = models.IntegerField(_("in-person attendances"), default=0)
    completed_in_person = models.IntegerField(_("completions in person"), default=0)
    attendance_withdrawn = models.IntegerField(_("in-person attendances withdrawn"), default=0)
    completed_in_person_withdrawn = models.IntegerField(_("completions in person withdrawn"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain} {self.period_start} · {self.province_id}/{self.commune_id}/{self.course_id}"

    def counts(self) -> dict[str, int]:
        """The row's counts keyed by event kind."""
        return {kind: getattr(self, kind) for kind in COUNTED_KINDS}


# Place and course first, numbers that sort cheaply when the rebuild builds the index; then grain
# and period, so each part of a period is one range of the key.
SUMMARY_KEY_FIELDS = ["province_id", "commune_id", "course_id", "grain", "period_start", "audience_group"]


class SummaryCount(SummaryColumns):
    """How many learning events of each counted kind happened in one day or month, per place, group and course.

    One row holds every kind, a column each, so a period of a place is read in one row per day
    and group rather than one per kind too. Besides the finest rows (one province, one commune,
    one course, day grain), the fold writes rolled-up rows where commune, course or province is
    ALL (-1), in day and month grains, so a dashboard reads a bounded number of rows for any period
    whatever the size of the event log. Place and course are plain ids so the unique key holds no
    NULL and one upsert works on PostgreSQL and SQLite. The fold writes into `RecentCount`; the
    compaction moves those rows here (docs/decisions/0025).
    """

    # The key is the primary key: no id column to number and no second index for the rebuild to
    # build (docs/decisions/0041). On PostgreSQL its index also carries the counts (INCLUDE, made
    # by migration 0010 and by the rebuild; SQLite has no such indexes), so a page reads the index
    # alone, the rows of one place side by side, instead of a table page per row.
    pk = models.CompositePrimaryKey(*SUMMARY_KEY_FIELDS)

    class Meta:
        verbose_name = _("summary count")
        verbose_name_plural = _("summary counts")


class RecentCount(SummaryColumns):
    """The summary rows the fold has added to since the last compaction, same key and counts as `SummaryCount`.

    The fold upserts here: a small table whose rows (today's, this month's) sit on a few pages,
    so a fold's cost follows its new events, not the size of the summary. `statistics_compact`
    adds them to the summary and deletes them in one transaction; dashboards read both summed
    (`SummaryTotal`). A key is here, in the summary, or in both: its figure is the sum.
    """

    class Meta:
        verbose_name = _("recent summary count")
        verbose_name_plural = _("recent summary counts")
        constraints = [models.UniqueConstraint(fields=SUMMARY_KEY_FIELDS, name="one_recent_count_per_key")]


class SummaryTotal(SummaryColumns):
    """The summary and the recent rows read as one (a database view: `SummaryCount` UNION ALL `RecentCount`).

    A key may have a row in each; every read sums them, so the figures are the same before and
    after a compaction. Made by migration 0008 and pointed at the fresh summary by the rebuild's
    swap. Read only, and only summed: its primary key, the summary's key, is not unique across
    the two tables.
    """

    pk = models.CompositePrimaryKey(*SUMMARY_KEY_FIELDS)

    class Meta:
        managed = False
        db_table = "reporting_summarytotal"
        verbose_name = _("summary total")
        verbose_name_plural = _("summary totals")


class RunCount(models.Model):
    """How many learning events of one kind belong to one course run, per province and group.

    Folded with the summary counts (province ALL for the whole country); a run's completion rate
    is its completions per enrolment, whatever the days they happened on.
    """

    course_run_id = models.IntegerField(_("course run"))
    province_id = models.IntegerField(_("province (0: not known, -1: all)"))
    audience_group = models.CharField(_("audience group"), max_length=32, choices=AudienceGroup.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=LearningEvent.Kind.choices)
    count = models.BigIntegerField(_("count"))

    class Meta:
        verbose_name = _("course run count")
        verbose_name_plural = _("course run counts")
        constraints = [
            models.UniqueConstraint(
                fields=["course_run_id", "province_id", "audience_group", "kind"], name="one_run_count_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.course_run_id} · {self.kind}: {self.count}"


class DayCount(models.Model):
    """One in-person day that was held: its place, date and course, and its seats when it started.

    Written by the fold once the day has started and was not cancelled (docs/decisions/0019); a
    started day can no longer change, move, be cancelled or take seats (inperson.services), so
    what is copied then stays true. Its attendance is not here: it is counted from the learning
    events per course run (RunCount; a run has at most one day), so a correction that comes later
    still reaches it. One row per day keeps every read of days held bounded by the days of its
    period, whatever the number of seats and events.
    """

    day_id = models.IntegerField(_("in-person day"), unique=True)
    course_run_id = models.IntegerField(_("course run"), unique=True)
    course_id = models.IntegerField(_("course"))
    province_id = models.IntegerField(_("province where it was held"))
    held_on = models.DateField(_("held on (Vietnam's calendar)"))
    # Seats signed up when the day started (no seat changes after the start).
    signed_up = models.IntegerField(_("signed up"))

    class Meta:
        verbose_name = _("in-person day held")
        verbose_name_plural = _("in-person days held")
        indexes = [
            # The province page reads its days of a period, the national page every province's.
            models.Index(fields=["province_id", "held_on"], name="day_count_province_held_on"),
            models.Index(fields=["held_on"], name="day_count_held_on"),
        ]

    def __str__(self) -> str:
        return f"day {self.day_id} · {self.held_on}"


# The FillState of the summary counts and course-run counts, folded together.
SUMMARY_COUNTS = "summary_counts"


class FillState(models.Model):
    """How far a statistic has been folded from the event log, written with its sums.

    On PostgreSQL the mark is a transaction id: every event written by a transaction below it is
    counted. On SQLite, where writers take turns, it is the last event id counted. `updated_at`
    moves on every fold, even one that found nothing new: it is the figures' freshness.
    """

    statistic = models.CharField(_("statistic"), max_length=64, unique=True)
    mark = models.BigIntegerField(_("high-water mark"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fill state")
        verbose_name_plural = _("fill states")

    def __str__(self) -> str:
        return f"{self.statistic}: {self.mark}"


class UnitMapping(models.Model):
    """An administrative unit that no longer exists and the unit of today that took it over.

    Events keep the unit of their day ("as it was"); dashboards shown in today's units add an old
    unit's figures to its successor. A reform of administrative units is new rows here, not code.
    Only merges map exactly; a unit split between several successors goes to the one named here.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        COMMUNE = "commune", _("Commune")

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    old_id = models.PositiveIntegerField(_("old unit"))
    new_id = models.PositiveIntegerField(_("unit of today"))
    effective_on = models.DateField(_("effective from"))

    class Meta:
        verbose_name = _("administrative unit mapping")
        verbose_name_plural = _("administrative unit mappings")
        constraints = [models.UniqueConstraint(fields=["level", "old_id"], name="one_successor_per_unit")]

    def __str__(self) -> str:
        return f"{self.level} {self.old_id} → {self.new_id}"


class Target(models.Model):
    """A goal for one measure, audience group and period, national or for one province.

    A campaign (a one-month drive for ten million citizens) is a target with its dates.
    """

    class Measure(models.TextChoices):
        COMPLETIONS = "course_completed", _("Course completions")
        ENROLMENTS = "enrolled", _("Enrolments")
        LEARNERS = "learner_joined", _("New learners")
        CERTIFICATES = "certificate_issued", _("Certificates issued")
        ATTENDANCES = "attended_in_person", _("In-person attendances")

    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices, default=Measure.COMPLETIONS)
    audience_group = models.CharField(
        _("audience group"), max_length=32, choices=AudienceGroup.choices, blank=True, help_text=_("Empty: everyone.")
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: the whole country."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal = models.PositiveBigIntegerField(_("goal"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="target_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExportFile(models.Model):
    """A large export written by a worker, downloaded by the person who asked for it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    # The province the export is about (None: national), checked again when it is downloaded.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    what = models.CharField(_("contents"), max_length=32)
    file_format = models.CharField(_("format"), max_length=8)
    query = models.JSONField(_("filters"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.what}.{self.file_format} ({self.get_status_display()})"
