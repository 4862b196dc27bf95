"""Tables of announcements; see announcements/README.md.

An `Announcement` is written once to the learners of one target (a course, a course run or a
province). A `Delivery` is one message owed to one learner: for an announcement, or the reminder of
one course run. Its unique keys are what make every message go out at most once: the row is claimed
before sending, so a retried task or a second beat finds it already there (docs/decisions/0023).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Course, CourseRun
from onetouch.models import Province


class Announcement(models.Model):
    """A message from an admin to the learners of a course, a course run or a province."""

    class Target(models.TextChoices):
        COURSE = "course", _("Learners of a course")
        COURSE_RUN = "course_run", _("Learners of a course run")
        PROVINCE = "province", _("Learners of a province")

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    target = models.CharField(_("sent to"), max_length=16, choices=Target.choices)
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course")
    )
    course_run = models.ForeignKey(
        CourseRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course run")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    # The province whose admins may read it: the course's (None for a national course) or the target province.
    scope_province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("in the scope of")
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    # Set once every recipient has a Delivery row; a beat finds announcements whose fan-out was lost.
    recipients_claimed_at = models.DateTimeField(_("recipients listed at"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                name="announcement_has_its_one_target",
                condition=(
                    Q(target="course", course__isnull=False, course_run__isnull=True, province__isnull=True)
                    | Q(target="course_run", course__isnull=False, course_run__isnull=False, province__isnull=True)
                    | Q(target="province", course__isnull=True, course_run__isnull=True, province__isnull=False)
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["scope_province", "-created_at"], name="announcement_scope_newest"),
            models.Index(
                fields=["created_at"], name="announcement_unclaimed", condition=Q(recipients_claimed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message owed to one learner: an announcement, or the reminder of one course run (once, ever)."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        REMINDER = "reminder", _("Reminder to finish")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        UNSUBSCRIBED = "unsubscribed", _("Not sent: unsubscribed")
        NO_ADDRESS = "no_address", _("Not sent: no email or mobile number")
        NOT_OWED = "not_owed", _("Not sent: no longer owed")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("learner")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("announcement"),
    )
    course_run = models.ForeignKey(
        CourseRun, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("course run")
    )
    created_at = models.DateTimeField(_("owed since"), auto_now_add=True)
    sent_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A failed send waits until then before the next try (a backoff that grows with the attempts).
    retry_at = models.DateTimeField(_("next try at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                name="delivery_has_its_one_source",
                condition=(
                    Q(kind="announcement", announcement__isnull=False, course_run__isnull=True)
                    | Q(kind="reminder", announcement__isnull=True, course_run__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["announcement", "learner"],
                name="one_delivery_per_announcement_and_learner",
                condition=Q(kind="announcement"),
            ),
            models.UniqueConstraint(
                fields=["course_run", "learner"],
                name="one_reminder_per_run_and_learner",
                condition=Q(kind="reminder"),
            ),
        ]
        indexes = [
            # The send queue: only rows not yet done, in the order they are taken.
            models.Index(fields=["created_at", "id"], name="delivery_pending", condition=Q(sent_at__isnull=True)),
            # A learner's announcements on the site, newest first.
            models.Index(fields=["learner", "kind", "-created_at"], name="delivery_learner_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.get_kind_display()} · {self.announcement_id or self.course_run_id}"


class EmailOptOut(models.Model):
    """A learner who asked for no more messages of one kind (announcements or reminders)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("learner")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Delivery.Kind.choices)
    created_at = models.DateTimeField(_("unsubscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [models.UniqueConstraint(fields=["learner", "kind"], name="one_opt_out_per_learner_and_kind")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.get_kind_display()}"
