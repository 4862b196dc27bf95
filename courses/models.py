from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onetouch.models import AudienceGroup, Province


class Topic(models.TextChoices):
    """What a course teaches; the first five are the tasks of community digital technology teams."""

    PUBLIC_SERVICES = "public_services", _("Online public services")
    DIGITAL_PAYMENT = "digital_payment", _("Online payment accounts")
    ONLINE_SHOPPING = "online_shopping", _("Online shopping")
    CYBER_SAFETY = "cyber_safety", _("Cyber-safety and scams")
    LOCAL_PLATFORMS = "local_platforms", _("Local digital platforms")
    DIGITAL_TRANSFORMATION = "digital_transformation", _("Digital transformation")
    DIGITAL_GOVERNMENT = "digital_government", _("Digital government")
    DIGITAL_SKILLS = "digital_skills", _("Basic digital skills")


class Level(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CourseFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended (online and one in-person day)")


class Audience(models.Model):
    """One of the four audience groups, as a row so courses can name several."""

    code = models.CharField(_("code"), max_length=32, choices=AudienceGroup.choices, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audience group")
        verbose_name_plural = _("audience groups")

    def __str__(self) -> str:
        # The enum's label, not get_code_display(): that hashes every translated choice on each call,
        # which cost the catalogue a millisecond a page (docs/decisions/0028).
        return str(AudienceGroup(self.code).label) if self.code in AudienceGroup.values else self.code


class Partner(models.Model):
    """An enterprise or organisation that takes part in courses (postal, telecom, payment…)."""

    class Kind(models.TextChoices):
        POSTAL = "postal", _("Postal service")
        TELECOM = "telecom", _("Telecommunications")
        BANK = "bank", _("Bank or payment company")
        OTHER = "other", _("Other organisation")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    audiences = models.ManyToManyField(Audience, related_name="courses", verbose_name=_("audience groups"))
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.BASIC)
    format = models.CharField(_("format"), max_length=16, choices=CourseFormat.choices, default=CourseFormat.ONLINE)
    owner_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("owning province"),
        help_text=_("Empty for a national course of the ministry."),
    )
    partners = models.ManyToManyField(Partner, blank=True, related_name="courses", verbose_name=_("partners"))
    estimated_hours = models.DecimalField(_("estimated hours"), max_digits=5, decimal_places=1, default=1)
    cover_image = models.ImageField(_("cover image"), upload_to="covers/", blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    requires_order = models.BooleanField(
        _("lessons in order"),
        default=False,
        help_text=_("Learners open a lesson only after the required ones before it."),
    )
    # Derived columns, written by courses.services only: the folded text the catalogue search
    # matches, and the number of active enrolments (recounted periodically from the source).
    search_text = models.TextField(editable=False, default="")
    enrolment_count = models.PositiveIntegerField(_("enrolments"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [
            models.Index(fields=["is_published", "-created_at"], name="course_published_newest"),
            models.Index(fields=["is_published", "-enrolment_count"], name="course_published_popular"),
            models.Index(fields=["topic"], name="course_topic"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", args=[self.slug])

    @property
    def format_label(self) -> str:
        """The format's name in the current language; cheaper than get_format_display() on every card."""
        return CourseFormat(self.format).label if self.format in CourseFormat.values else self.format

    @property
    def is_national(self) -> bool:
        return self.owner_province_id is None


class CourseRun(models.Model):
    """A dated session of a course; a course without runs is self-paced."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="runs", verbose_name=_("course"))
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("course run")
        verbose_name_plural = _("course runs")
        constraints = [
            models.CheckConstraint(name="course_run_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """An ordered part of a course, holding lessons."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course"))
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


def lesson_source_path(lesson: "Lesson", filename: str) -> str:
    # The file name was sanitised by courses.media.uploads before it got here.
    return f"lessons/{lesson.course_id}/{lesson.id or 'new'}/source/{filename}"


class Lesson(models.Model):
    """One step of a course: a video, a slide deck, a document or a text.

    Derived media (poster, HLS renditions, slide page images) live in storage under
    `media_prefix`, which changes with every processing run so a browser or CDN never mixes
    files of two runs.
    """

    class Kind(models.TextChoices):
        VIDEO = "video", _("Video")
        SLIDES = "slides", _("Slides")
        DOCUMENT = "document", _("Document")
        TEXT = "text", _("Text")
        QUIZ = "quiz", _("Quiz")

    class Processing(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Nothing to process")
        WAITING = "waiting", _("Waiting for a file")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Processing failed")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("course"))
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("module"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_required = models.BooleanField(_("required"), default=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=5)
    is_published = models.BooleanField(_("published"), default=False)
    # Text lessons: HTML already cleaned by courses.pure.richtext when it was saved.
    body_html = models.TextField(_("text"), blank=True)
    # The uploaded original (video, slide deck or document), checked by content before storing.
    source = models.FileField(_("file"), upload_to=lesson_source_path, blank=True, max_length=300)
    source_name = models.CharField(_("file name"), max_length=200, blank=True)
    source_content_type = models.CharField(_("file type"), max_length=100, blank=True)
    source_size = models.PositiveBigIntegerField(_("file size"), default=0)
    captions = models.FileField(_("captions (WebVTT)"), upload_to=lesson_source_path, blank=True, max_length=300)
    processing = models.CharField(
        _("processing"), max_length=16, choices=Processing.choices, default=Processing.NOT_NEEDED
    )
    processing_error = models.CharField(_("processing error"), max_length=500, blank=True)
    # The processing run (its Celery task id) that is working on the file, and since when: a second run
    # of the same lesson, queued again by the sweep for lost jobs, stops instead of encoding it twice.
    processing_run = models.CharField(max_length=64, blank=True, editable=False)
    processing_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    media_prefix = models.CharField(max_length=200, blank=True, editable=False)
    duration_seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # Storage names of derived files, relative to the storage root.
    poster_name = models.CharField(max_length=300, blank=True, editable=False)
    hls_playlist_name = models.CharField(max_length=300, blank=True, editable=False)
    slides_pdf_name = models.CharField(max_length=300, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["module__position", "position", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        indexes = [
            models.Index(fields=["course", "is_published"], name="lesson_course_published"),
            # The sweep for lost processing jobs reads the few lessons still processing, oldest first.
            models.Index(
                fields=["updated_at"], condition=models.Q(processing="processing"), name="lesson_processing_since"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learners:lesson", args=[self.course.slug, self.id])

    def page_image_name(self, number: int) -> str:
        """Return the storage name of slide page `number` (1-based), made by processing."""
        return f"{self.media_prefix}pages/{number:03d}.jpg"


class QuestionTag(models.Model):
    """A label grouping a course's questions, so a quiz can draw from one part of the bank."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="question_tags", verbose_name=_("course"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question tag")
        verbose_name_plural = _("question tags")
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="one_tag_name_per_course")]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question of a course's bank; its choices say which answers are correct."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions", verbose_name=_("course"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True)
    tags = models.ManyToManyField(QuestionTag, blank=True, related_name="questions", verbose_name=_("tags"))
    is_active = models.BooleanField(_("in use"), default=True)
    # A digest of the question's text and choices: importing the same row twice finds it again.
    import_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["course", "import_key"], name="one_question_per_content")]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")

    def __str__(self) -> str:
        return self.text


class Quiz(models.Model):
    """The rules of a quiz lesson: how many questions are drawn, how it is passed and timed."""

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="quiz", verbose_name=_("lesson"))
    questions_drawn = models.PositiveIntegerField(_("questions drawn"), default=10)
    draw_tag = models.ForeignKey(
        QuestionTag,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("draw only questions tagged"),
    )
    pass_mark_percent = models.PositiveIntegerField(_("pass mark (%)"), default=70)
    attempts_limit = models.PositiveIntegerField(_("attempts allowed"), default=2, help_text=_("0 for no limit."))
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    shuffle_choices = models.BooleanField(_("shuffle the answer choices"), default=True)
    review_allowed = models.BooleanField(_("learners see the corrections after submitting"), default=True)
    is_final_exam = models.BooleanField(_("final exam of the course"), default=False)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                name="quiz_pass_mark_is_a_percentage", condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100)
            ),
            models.CheckConstraint(name="quiz_draws_at_least_one_question", condition=Q(questions_drawn__gte=1)),
        ]

    def __str__(self) -> str:
        return str(self.lesson)
