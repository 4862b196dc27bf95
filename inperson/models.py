"""In-person days: at most one day of study in a room per course run, its trainers and its seats.

What one row can check is a database constraint here; what needs other rows (the venue's commune in
the day's province, the day inside its run's dates, the capacity against the seats taken, who may
change a day) is checked by inperson.services under a lock on the day (docs/decisions/0016).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from courses.models import CourseRun, Partner
from onetouch.models import Commune, Province


class Trainer(models.Model):
    """A partner trainer's account and the one partner organisation they teach for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainer", verbose_name=_("account")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="trainers", verbose_name=_("partner organisation")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["partner__name", "user__full_name", "id"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self) -> str:
        return f"{self.user} ({self.partner})"


class InPersonDay(models.Model):
    """The one in-person day of a course run; a cancelled day keeps its row, its seats and its history."""

    course_run = models.OneToOneField(
        CourseRun, on_delete=models.PROTECT, related_name="in_person_day", verbose_name=_("course run")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="in_person_days", verbose_name=_("province")
    )
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("venue address"), max_length=300)
    venue_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="in_person_days", verbose_name=_("venue commune")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    cancellation_deadline = models.DateTimeField(
        _("cancellation deadline"), help_text=_("Learners may cancel their seat until this moment.")
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="in_person_days", verbose_name=_("partner organisations")
    )
    trainers = models.ManyToManyField(Trainer, blank=True, related_name="days", verbose_name=_("trainers"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheduled by")
    )
    created_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("last changed by")
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("in-person day")
        verbose_name_plural = _("in-person days")
        constraints = [
            models.CheckConstraint(name="in_person_day_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name="in_person_day_has_capacity", condition=Q(capacity__gt=0)),
            models.CheckConstraint(
                name="in_person_day_deadline_before_start", condition=Q(cancellation_deadline__lte=F("starts_at"))
            ),
            models.CheckConstraint(
                name="in_person_day_cancelled_with_reason",
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
            ),
        ]
        indexes = [models.Index(fields=["province", "starts_at"], name="in_person_day_province_start")]

    def __str__(self) -> str:
        return f"{self.course_run} · {self.venue_name}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class DayChange(models.Model):
    """One entry of a day's history: who scheduled, changed or cancelled it, when, what and why.

    A change of date or venue, and a cancellation, must be told to everyone signed up
    (`tells_learners`); the notification worker sends from these rows.
    """

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")

    day = models.ForeignKey(InPersonDay, on_delete=models.CASCADE, related_name="changes", verbose_name=_("day"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Field name → the value before the change, as text ({} when the day was scheduled).
    previous_values = models.JSONField(_("values before the change"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    tells_learners = models.BooleanField(_("learners must be told"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["day", "at", "id"]
        verbose_name = _("in-person day change")
        verbose_name_plural = _("in-person day changes")

    def __str__(self) -> str:
        return f"{self.day} · {self.get_kind_display()}"

    @property
    def changed_fields(self) -> list[str]:
        return sorted(self.previous_values)


class DaySeat(models.Model):
    """A learner's place at a day: signed up, waiting (first come, first served) or cancelled (kept)."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    day = models.ForeignKey(InPersonDay, on_delete=models.PROTECT, related_name="seats", verbose_name=_("day"))
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="day_seats", verbose_name=_("learner")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # The waiting list's order: who asked first (ties, impossible under the day's lock, go by id).
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The language the learner was reading the site in when they signed up: the day's messages
    # (changes, promotion, reminder) are written in it. Blank: the platform's language.
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        ordering = ["day", "asked_at", "id"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "learner"],
                condition=~Q(status="cancelled"),
                name="one_active_seat_per_learner_and_day",
            ),
            models.CheckConstraint(
                name="day_seat_cancelled_when_dated",
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
            ),
        ]
        indexes = [models.Index(fields=["day", "status", "asked_at"], name="day_seat_queue")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.day} · {self.get_status_display()}"


class DayNotice(models.Model):
    """One message owed to one learner about a day: a change, the cancellation, a promotion, the reminder.

    The unique key (learner, kind, source) is what makes every message go out exactly once: the
    row is claimed before sending, so a retried task or a second beat finds it already there.
    `source` names what caused it: "change-<DayChange id>", "seat-<DaySeat id>" or "day-<day id>".
    """

    class Kind(models.TextChoices):
        CHANGED = "changed", _("The day changed")
        CANCELLED = "cancelled", _("The day is cancelled")
        PROMOTED = "promoted", _("A seat from the waiting list")
        REMINDER = "reminder", _("Reminder the day before")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    day = models.ForeignKey(InPersonDay, on_delete=models.CASCADE, related_name="notices", verbose_name=_("day"))
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="day_notices", verbose_name=_("learner")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("what caused it"), max_length=40)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    created_at = models.DateTimeField(_("owed since"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("day notice")
        verbose_name_plural = _("day notices")
        constraints = [
            models.UniqueConstraint(fields=["learner", "kind", "source"], name="one_day_notice_per_learner_and_cause"),
        ]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="day_notice_queue")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.get_kind_display()} · {self.source}"


class Attendance(models.Model):
    """Whether a learner was at a day: one row per learner and day, written by check-in or by ticking.

    Check-in only creates it (present); a later change of `present` goes through a correction, which
    keeps the reason. `scan_id` is the id the trainer's phone gave the scan, so a queued scan sent
    twice counts once.
    """

    class Method(models.TextChoices):
        SCANNED = "scanned", _("QR code scanned")
        TYPED = "typed", _("Code typed")
        TICKED = "ticked", _("Ticked on the roster")
        SHEET = "sheet", _("From the signed sheet")

    day = models.ForeignKey(InPersonDay, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("day"))
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="day_attendances", verbose_name=_("learner")
    )
    present = models.BooleanField(_("present"), default=True)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    # When the trainer's phone saw the code (bounded to the check-in window on the server).
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked in by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    scan_id = models.UUIDField(_("scan"), null=True, blank=True, unique=True)
    # When the in-person completion event was written (attended and completed online), once.
    completion_recorded_at = models.DateTimeField(_("in-person completion recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["day", "recorded_at", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["day", "learner"], name="one_attendance_per_learner_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.day} · {self.present}"


class AttendanceCorrection(models.Model):
    """A change of an attendance after the fact, by an admin, with the reason; never deleted."""

    attendance = models.ForeignKey(
        Attendance, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("attendance")
    )
    present_before = models.BooleanField(_("present before"))
    present_after = models.BooleanField(_("present after"))
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["attendance", "at", "id"]
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        constraints = [
            models.CheckConstraint(name="attendance_correction_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="attendance_correction_changes_something", condition=~Q(present_before=F("present_after"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attendance} · {self.at}"
