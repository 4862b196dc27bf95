"""Forms of the studio. Each hands its cleaned data to one service of courses.services."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from courses.media.types import ACCEPT_FOR_KIND, accept_attribute
from courses.models import Course, CourseFormat, Lesson, Level, Module, Topic
from onetouch import scope
from onetouch.models import AudienceGroup, Province, User

FILE_HELP = {
    Lesson.Kind.VIDEO: _("An MP4 or WebM video."),
    Lesson.Kind.SLIDES: _("A PDF slide deck (PPTX and ODP are converted to PDF when the server can)."),
    Lesson.Kind.DOCUMENT: _("A PDF, DOCX, XLSX or PPTX document."),
}
# The file inputs' `accept` attributes, from the one table of types.
FILE_ACCEPT = {kind: accept_attribute(upload_kind) for kind, upload_kind in ACCEPT_FOR_KIND.items()}


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
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute("captions")}),
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


# The question bank's spreadsheet upload; its other forms are in courses.forms.questions.


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet of questions"),
        help_text=_("The template filled in, as an Excel workbook (.xlsx) or CSV in UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute("questions")}),
    )
