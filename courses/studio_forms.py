"""Forms of the studio. Each hands its cleaned data to one service of courses.services."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from courses.models import Course, CourseFormat, Lesson, Level, Module, Question, QuestionTag, Quiz, Topic
from courses.pure.question_rules import (
    CHOICE_LETTERS,
    CHOICE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ChoiceRow,
    choices_problem,
    tag_names_split,
)
from courses.pure.question_sheet import XLSX_CONTENT_TYPE
from onetouch import scope
from onetouch.models import AudienceGroup, Province, User

FILE_HELP = {
    Lesson.Kind.VIDEO: _("An MP4 or WebM video."),
    Lesson.Kind.SLIDES: _("A PDF slide deck (PPTX and ODP are converted to PDF when the server can)."),
    Lesson.Kind.DOCUMENT: _("A PDF, DOCX, XLSX or PPTX document."),
}
FILE_ACCEPT = {
    Lesson.Kind.VIDEO: "video/mp4,video/webm,.mp4,.webm",
    Lesson.Kind.SLIDES: "application/pdf,.pdf,.pptx,.odp",
    Lesson.Kind.DOCUMENT: ".pdf,.docx,.xlsx,.pptx",
}


def form_error_add(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names when the form has one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class CourseForm(forms.Form):
    """A course's description. Only ministry staff see the owner field; others' courses stay in their province."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=200,
        required=False,
        help_text=_("Letters, digits and hyphens. If left empty, it is made from the title."),
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=300, help_text=_("One or two sentences for the catalogue.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    audiences = forms.MultipleChoiceField(
        label=_("Audience groups"), choices=AudienceGroup.choices, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.BASIC)
    format = forms.ChoiceField(label=_("Format"), choices=CourseFormat.choices, initial=CourseFormat.ONLINE)
    estimated_hours = forms.DecimalField(
        label=_("Estimated hours"), max_digits=5, decimal_places=1, min_value=Decimal("0.5"), initial=Decimal("1")
    )
    requires_order = forms.BooleanField(
        label=_("Learners take the required lessons in order"),
        required=False,
        help_text=_("A learner opens a lesson only after the required lessons before it are complete."),
    )
    owner_province = forms.ModelChoiceField(
        label=_("Owning province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=_("National course (ministry)"),
    )

    def __init__(self, *args, author: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not scope.has_national_scope(author):
            del self.fields["owner_province"]

    @classmethod
    def initial_for(cls, course: Course) -> dict:
        return {
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "description": course.description,
            "audiences": [audience.code for audience in course.audiences.all()],
            "topic": course.topic,
            "level": course.level,
            "format": course.format,
            "estimated_hours": course.estimated_hours,
            "requires_order": course.requires_order,
            "owner_province": course.owner_province_id,
        }

    def service_fields(self) -> dict:
        """Return the keyword arguments of course_draft_create and course_update."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "slug": data["slug"],
            "summary": data["summary"],
            "description": data["description"],
            "audience_codes": data["audiences"],
            "topic": data["topic"],
            "level": data["level"],
            "format": data["format"],
            "estimated_hours": data["estimated_hours"],
            "requires_order": data["requires_order"],
            "owner_province": data.get("owner_province"),
        }


def lesson_body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "For a text lesson. Plain text, or simple HTML: paragraphs, bold, italic, lists, headings, "
            "links, quotes and tables. Anything else is removed."
        ),
    )


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200)


class LessonCreateForm(forms.Form):
    title = forms.CharField(label=_("Lesson title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Lesson.Kind.choices)
    is_required = forms.BooleanField(
        label=_("Required"), required=False, initial=True, help_text=_("Counts towards completing the course.")
    )
    estimated_minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=1, max_value=600, initial=5)
    body = lesson_body_field()


class LessonForm(forms.Form):
    """A lesson's details; the text only for a text lesson, the module among its course's modules."""

    title = forms.CharField(label=_("Lesson title"), max_length=200)
    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none(), empty_label=None)
    is_required = forms.BooleanField(
        label=_("Required"), required=False, help_text=_("Counts towards completing the course.")
    )
    estimated_minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=1, max_value=600)
    body = lesson_body_field()

    def __init__(self, *args, lesson: Lesson, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": lesson.title,
                "module": lesson.module_id,
                "is_required": lesson.is_required,
                "estimated_minutes": lesson.estimated_minutes,
                "body": lesson.body_html,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(course_id=lesson.course_id)
        if lesson.kind != Lesson.Kind.TEXT:
            del self.fields["body"]

    def service_fields(self) -> dict:
        """Return the keyword arguments of lesson_update."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "module": data["module"],
            "is_required": data["is_required"],
            "estimated_minutes": data["estimated_minutes"],
            "body_html": data.get("body"),
        }


class LessonFileForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, lesson: Lesson, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = FILE_HELP.get(lesson.kind, "")
        self.fields["file"].widget.attrs["accept"] = FILE_ACCEPT.get(lesson.kind, "")


class CaptionsForm(forms.Form):
    captions = forms.FileField(
        label=_("Captions (WebVTT)"),
        help_text=_("A .vtt file of Vietnamese captions."),
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
    )


class ReorderForm(forms.Form):
    """The complete new order, as ids separated by commas ("12,9,10")."""

    order = forms.CharField(max_length=10_000)

    def clean_order(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["order"].split(",")]
        if not all(part.isdigit() for part in parts):
            raise ValidationError(_("The new order was not understood."))
        return [int(part) for part in parts]


class MoveForm(forms.Form):
    """One step up or down, for the buttons that reorder without JavaScript."""

    direction = forms.ChoiceField(choices=[("up", _("Move up")), ("down", _("Move down"))])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


# --- The question bank and quiz settings -----------------------------------------------------------


class QuestionForm(forms.Form):
    """A question with up to six answer choices in fixed rows; empty rows are left out."""

    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices, initial=Question.Kind.SINGLE)
    text = forms.CharField(label=_("Question"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to learners with the corrections after they submit, if the quiz allows it."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas. A quiz can draw only the questions of one tag."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for letter in CHOICE_LETTERS:
            self.fields[f"choice_{letter}"] = forms.CharField(
                label=_("Answer %(letter)s") % {"letter": letter}, max_length=CHOICE_MAX_LENGTH, required=False
            )
            self.fields[f"correct_{letter}"] = forms.BooleanField(
                label=_("Answer %(letter)s is correct") % {"letter": letter}, required=False
            )

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
            "tags": ", ".join(tag.name for tag in question.tags.all()),
        }
        for letter, choice in zip(CHOICE_LETTERS, question.choices.all(), strict=False):
            initial[f"choice_{letter}"] = choice.text
            initial[f"correct_{letter}"] = choice.is_correct
        return initial

    def choice_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Return each row's letter, answer field and correct box, for the template."""
        return [(letter, self[f"choice_{letter}"], self[f"correct_{letter}"]) for letter in CHOICE_LETTERS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "text", "explanation", "tags")]

    def clean(self) -> dict:
        data = super().clean()
        choices = []
        for letter in CHOICE_LETTERS:
            text = (data.get(f"choice_{letter}") or "").strip()
            if text:
                choices.append(ChoiceRow(text, bool(data.get(f"correct_{letter}"))))
            elif data.get(f"correct_{letter}"):
                self.add_error(f"choice_{letter}", _("This answer is marked correct but is empty."))
        data["choices"] = choices
        if data.get("kind") and not self.errors:
            problem = choices_problem(data["kind"], choices)
            if problem:
                raise ValidationError(problem)
        return data

    def service_fields(self) -> dict:
        """Return the keyword arguments of question_create and question_update."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "choices": data["choices"],
            "explanation": data["explanation"],
            "tag_names": tag_names_split(data["tags"]),
        }


class QuestionFilterForm(forms.Form):
    """The question bank's filters: one tag, and whether the questions are in use."""

    ACTIVE, INACTIVE = "active", "inactive"

    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=QuestionTag.objects.none(), required=False, empty_label=_("All tags")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("In use and deactivated")), (ACTIVE, _("In use")), (INACTIVE, _("Deactivated"))],
    )

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = QuestionTag.objects.filter(course=course)

    def filters(self) -> dict:
        """Return the keyword arguments of the bank's list: a tag and an active state, or None for all."""
        if not self.is_bound or not self.is_valid():
            return {"tag": None, "is_active": None}
        state = self.cleaned_data["state"]
        return {
            "tag": self.cleaned_data["tag"],
            "is_active": {self.ACTIVE: True, self.INACTIVE: False}.get(state),
        }


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet of questions"),
        help_text=_("The template filled in, as an Excel workbook (.xlsx) or CSV in UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv," + XLSX_CONTENT_TYPE + ",text/csv"}),
    )


class QuizSettingsForm(forms.Form):
    """The rules of a quiz lesson; the tag is one of its course's."""

    questions_drawn = forms.IntegerField(
        label=_("Questions drawn"),
        min_value=1,
        max_value=200,
        help_text=_("Each attempt draws this many questions at random from the bank."),
    )
    draw_tag = forms.ModelChoiceField(
        label=_("Draw from"),
        queryset=QuestionTag.objects.none(),
        required=False,
        empty_label=_("The whole question bank"),
    )
    pass_mark_percent = forms.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100)
    attempts_limit = forms.IntegerField(
        label=_("Attempts allowed"), min_value=0, max_value=100, help_text=_("0 for no limit.")
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Empty for no limit. The server ends the attempt when the time is up."),
    )
    shuffle_choices = forms.BooleanField(label=_("Shuffle the answer choices"), required=False)
    review_allowed = forms.BooleanField(
        label=_("Show the corrections after submitting"),
        required=False,
        help_text=_("Learners see which answers were correct, with the explanations, once they submit."),
    )
    is_final_exam = forms.BooleanField(
        label=_("Final exam of the course"),
        required=False,
        help_text=_("A learner completes the course by passing it after the required lessons."),
    )

    def __init__(self, *args, lesson: Lesson, quiz: Quiz | None, **kwargs) -> None:
        quiz = quiz or Quiz()
        kwargs.setdefault(
            "initial",
            {
                "questions_drawn": quiz.questions_drawn,
                "draw_tag": quiz.draw_tag_id,
                "pass_mark_percent": quiz.pass_mark_percent,
                "attempts_limit": quiz.attempts_limit,
                "time_limit_minutes": quiz.time_limit_minutes,
                "shuffle_choices": quiz.shuffle_choices,
                "review_allowed": quiz.review_allowed,
                "is_final_exam": quiz.is_final_exam,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["draw_tag"].queryset = QuestionTag.objects.filter(course_id=lesson.course_id)

    def service_fields(self) -> dict:
        """Return the keyword arguments of quiz_settings_save."""
        return dict(self.cleaned_data)
