from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Course, CourseRun, Lesson, Question, Quiz
from onetouch.models import AudienceGroup, Commune, Province


class LearnerProfile(models.Model):
    """Who the learner is for the statistics: audience group, province and commune."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
        verbose_name=_("user"),
    )
    audience_group = models.CharField(_("audience group"), max_length=32, choices=AudienceGroup.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("job title"), max_length=200, blank=True)
    # None: never chosen, so the browser's Save-Data hint decides; True/False: the learner's choice.
    save_data = models.BooleanField(_("save data"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("learner profile")
        verbose_name_plural = _("learner profiles")
        indexes = [models.Index(fields=["province", "commune"])]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        """The commune must belong to the province (the site's forms and the back office alike)."""
        if (
            self.province_id is not None
            and self.commune_id is not None
            and self.commune.province_id != self.province_id
        ):
            raise ValidationError({"commune": _("This commune is not in the chosen province.")})


class Enrolment(models.Model):
    """A learner's place in a course; cancelling keeps the row so history stays whole."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("learner")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course"))
    course_run = models.ForeignKey(
        CourseRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("course run"),
    )
    is_active = models.BooleanField(_("still enrolled"), default=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    unenrolled_at = models.DateTimeField(_("unenrolled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_enrolment_per_learner_and_course"),
        ]
        indexes = [models.Index(fields=["learner", "is_active", "-enrolled_at"], name="enrolment_my_learning")]

    def __str__(self) -> str:
        return f"{self.learner} → {self.course}"


class CurrentTransactionId(models.Func):
    """The writing transaction's id on PostgreSQL (NULL elsewhere), the statistics fold's exact mark."""

    template = "pg_current_xact_id()::text::bigint"
    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


# The kinds a course run's counts are made of (reporting's run counts: a run's completion rate and its
# in-person day's attendance), each a LearningEvent.Kind. An index holds just these events, so that
# recounting the runs reads them alone, not the whole log (docs/decisions/0043).
RUN_COUNT_KINDS = (
    "enrolled",
    "unenrolled",
    "course_completed",
    "attended_in_person",
    "attendance_withdrawn",
    "completed_in_person",
    "completed_in_person_withdrawn",
)


class LearningEvent(models.Model):
    """An append-only record of something a learner did, with who they were at that moment.

    Written in the same transaction as the change it records; the statistics are folded from
    these rows, so a row is never updated or deleted.
    """

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        UNENROLLED = "unenrolled", _("Unenrolled")
        LESSON_COMPLETED = "lesson_completed", _("Lesson completed")
        QUIZ_PASSED = "quiz_passed", _("Quiz passed")
        QUIZ_FAILED = "quiz_failed", _("Quiz failed")
        COURSE_COMPLETED = "course_completed", _("Course completed")
        CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        # Written with a learner's very first enrolment, so "learners" add up across days and places.
        LEARNER_JOINED = "learner_joined", _("Started learning")
        # In-person days (inperson.services): present at the day, and present and completed online.
        ATTENDED_IN_PERSON = "attended_in_person", _("Attended in person")
        COMPLETED_IN_PERSON = "completed_in_person", _("Completed in person")
        # An attendance corrected to absent takes back what it counted (the log is never rewritten).
        ATTENDANCE_WITHDRAWN = "attendance_withdrawn", _("Attendance withdrawn")
        COMPLETED_IN_PERSON_WITHDRAWN = "completed_in_person_withdrawn", _("In-person completion withdrawn")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("learner")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    course_run = models.ForeignKey(
        CourseRun, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("course run")
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lesson")
    )
    course_owner_province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("owning province")
    )
    # Where the learner was and who they were when it happened, not where they are now.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("province")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("commune")
    )
    audience_group = models.CharField(_("audience group"), max_length=32, choices=AudienceGroup.choices, blank=True)
    # Sequence ids are handed out before commit, so they can commit out of order; the transaction id
    # lets reporting fold exactly what every finished transaction wrote (see reporting/README.md).
    xact_id = models.BigIntegerField(
        _("transaction"), null=True, editable=False, db_index=True, db_default=CurrentTransactionId()
    )

    class Meta:
        verbose_name = _("learning event")
        verbose_name_plural = _("learning events")
        indexes = [
            # Every column the run counts read, so a recount is an index-only scan (xact_id: the fold's mark).
            models.Index(
                fields=["course_run", "province", "audience_group", "kind", "xact_id"],
                condition=Q(course_run__isnull=False, kind__in=RUN_COUNT_KINDS),
                name="learningevent_run_counts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.learner_id} · {self.course_id}"


class LessonProgress(models.Model):
    """How far a learner got in one lesson; created when the lesson is first opened.

    Video progress is a list of merged watched intervals in seconds ([[0.0, 42.5], [60.0, 90.0]]),
    capped by the video's duration; slides keep the page numbers seen. The clocks the completion
    rules count from are the server's (learners/progress.py, docs/decisions/0010).
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress", verbose_name=_("learner")
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress", verbose_name=_("lesson"))
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="lesson_progress", verbose_name=_("enrolment")
    )
    watched_intervals = models.JSONField(_("watched intervals"), default=list, blank=True)
    watched_seconds = models.FloatField(_("seconds watched"), default=0)
    position_seconds = models.FloatField(_("resume position (seconds)"), default=0)
    pages_viewed = models.JSONField(_("pages viewed"), default=list, blank=True)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Text and documents: reading time counts from the first opening of the lesson page.
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    # Video: at `watch_allowance_at` (the page's last opening) the seconds watched in all could be at
    # most `watch_allowance_seconds`; the allowance grows at the fastest playback rate from then.
    watch_allowance_at = models.DateTimeField(_("watch allowance since"), null=True, blank=True)
    watch_allowance_seconds = models.FloatField(_("watch allowance (seconds)"), null=True, blank=True)
    # Slides: the page on screen and since when, by the server's clock.
    page_shown = models.PositiveIntegerField(_("page shown"), null=True, blank=True)
    page_shown_at = models.DateTimeField(_("page shown since"), null=True, blank=True)
    # Documents: the first download.
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="one_progress_per_learner_and_lesson"),
        ]
        indexes = [models.Index(fields=["enrolment", "completed_at"], name="progress_enrolment_done")]

    def __str__(self) -> str:
        return f"{self.learner} · {self.lesson}"


class QuizAttempt(models.Model):
    """One attempt at a quiz, with its own seeded draw so a reload shows the same questions.

    The answers that count are those saved before `deadline_at`; a submission is recorded once.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("learner")
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz"))
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("enrolment")
    )
    number = models.PositiveIntegerField(_("attempt number"))
    seed = models.BigIntegerField(_("draw seed"))
    # The draw: question ids in the order shown, and each question's choice ids in the order shown.
    question_ids = models.JSONField(_("questions drawn"), default=list)
    choice_orders = models.JSONField(_("order of the answer choices"), default=dict)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score_percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(fields=["learner", "quiz", "number"], name="one_attempt_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.quiz} · {self.number}"


class AttemptAnswer(models.Model):
    """The choices a learner picked for one question of an attempt, as last saved."""

    attempt = models.ForeignKey(
        QuizAttempt, on_delete=models.CASCADE, related_name="answers", verbose_name=_("attempt")
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    choice_ids = models.JSONField(_("choices picked"), default=list)
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_attempt_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.question_id}"


class CourseCompletion(models.Model):
    """A learner completed a course (its required lessons and its final quiz); recorded once."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="completion", verbose_name=_("enrolment")
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions", verbose_name=_("learner")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions", verbose_name=_("course"))
    course_run = models.ForeignKey(
        CourseRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course run")
    )
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")

    def __str__(self) -> str:
        return f"{self.learner} · {self.course}"


class Certificate(models.Model):
    """A certificate of completion. What it says is frozen when issued; its code is unguessable."""

    completion = models.OneToOneField(
        CourseCompletion, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("completion")
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    learner_name = models.CharField(_("learner's name"), max_length=150)
    course_title = models.CharField(_("course"), max_length=200)
    course_run_title = models.CharField(_("course run"), max_length=200, blank=True)
    issuer_name = models.CharField(_("issuer"), max_length=200)
    province_name = models.CharField(_("province"), max_length=100, blank=True)
    commune_name = models.CharField(_("commune"), max_length=100, blank=True)
    completed_on = models.DateField(_("completed on"))
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True, max_length=300)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
