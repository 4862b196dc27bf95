"""The dashboards' and exports' filters, read from the query string into plain DashboardFilters."""

from collections.abc import Sequence
from datetime import date, timedelta

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from onetouch.models import AudienceGroup
from reporting.selectors.dashboard_filters import DashboardFilters
from reporting.selectors.exports import CSV, LEARNERS, PLACES, XLSX
from reporting.selectors.figures import MEASURES

MAX_PERIOD_DAYS = 366 * 5
# Dates far from today mean a typing mistake; bounding them also keeps date arithmetic in range.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DEFAULT_PERIOD_DAYS = 30
SORT_COLUMNS = ("code", "name", *MEASURES)
# The value each filter has when left out: choosing it again is not narrowing anything.
FILTER_DEFAULTS = {
    "start": "",
    "end": "",
    "audience": "",
    "course": "",
    "units": "then",
    "trend": "day",
    "measure": "completions",
}


class CourseSelect(forms.Select):
    """A select written in one pass.

    Ministry staff choose among every course, thousands of options: Django's template per option
    took about 0.3 ms each, most of the page's time.
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) == chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the query string; every field may be left out."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    audience = forms.ChoiceField(
        label=_("Audience group"), required=False, choices=[("", _("Everyone")), *AudienceGroup.choices]
    )
    # Chosen by its web address among the viewer's courses (set in __init__), never by an id: a
    # course outside the viewer's scope is refused exactly as one that does not exist.
    course = forms.ChoiceField(
        label=_("Course"),
        required=False,
        widget=CourseSelect,
        error_messages={"invalid_choice": _("Unknown course: choose one from the list.")},
    )
    units = forms.ChoiceField(
        label=_("Administrative units"),
        required=False,
        choices=[("then", _("As they were")), ("now", _("Today's units"))],
    )
    trend = forms.ChoiceField(
        label=_("Trend by"),
        required=False,
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
    )
    measure = forms.ChoiceField(
        label=_("Map shows"),
        required=False,
        choices=[
            ("completions", _("Completions")),
            ("enrolments", _("Enrolments")),
            ("learners", _("New learners")),
            ("certificates", _("Certificates")),
            ("attendances", _("In-person attendances")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(value, value) for column in SORT_COLUMNS for value in (column, f"-{column}")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, courses: Sequence[Course], with_map: bool = True, **kwargs) -> None:
        """`courses` are those the viewer may read (reporting.selectors.courses.course_list_for_filters).

        Without a map (a province's page) "Map shows" is not offered; a value chosen on the
        national page still rides along hidden, so the link back keeps it.
        """
        super().__init__(*args, **kwargs)
        self.with_map = with_map
        if not with_map:
            self.fields["measure"].widget = forms.HiddenInput()
        self.courses_by_slug = {course.slug: course for course in courses}
        self.fields["course"].choices = [("", _("All courses")), *((c.slug, c.title) for c in courses)]

    def active_filter_count(self) -> int:
        """How many filters differ from what the page shows unasked (the table's order is not counted)."""
        if not self.is_bound:
            return 0
        names = [name for name in FILTER_DEFAULTS if self.with_map or name != "measure"]
        return sum(1 for name in names if self.data.get(name) not in ("", None, FILTER_DEFAULTS[name]))

    def clean_course(self) -> Course | None:
        return self.courses_by_slug.get(self.cleaned_data["course"])

    def clean(self) -> dict:
        data = super().clean()
        if "start" not in data or "end" not in data:
            return data  # a date could not be read; its own error says why
        for name in ("start", "end"):
            if data[name] and not FIRST_DAY <= data[name] <= LAST_DAY:
                message = _("Choose a date between %(first)s and %(last)s.")
                params = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
                self.add_error(name, forms.ValidationError(message, params=params))
                return data
        end = data["end"] or timezone.localdate()
        start = data["start"] or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if end < start:
            self.add_error("end", _("The end date is before the start date."))
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            message = _("The period may be at most %(days)s days long.")
            self.add_error("end", forms.ValidationError(message, params={"days": MAX_PERIOD_DAYS}))
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> DashboardFilters:
        """Return the validated filters, with the defaults filled in; call after is_valid()."""
        data = self.cleaned_data
        return DashboardFilters(
            start=data["start"],
            end=data["end"],
            audience_group=data["audience"] or None,
            course_id=data["course"].id if data["course"] else None,
            units=data["units"] or "then",
            trend=data["trend"] or "day",
            sort=data["sort"] or "code",
            measure=data["measure"] or "completions",
        )


class ExportForm(DashboardFilterForm):
    """The dashboard's filters, plus what to export and in which format."""

    format = forms.ChoiceField(label=_("Format"), required=False, choices=[(CSV, "CSV"), (XLSX, "XLSX")])
    what = forms.ChoiceField(
        label=_("Contents"),
        required=False,
        choices=[(PLACES, _("The table of places")), (LEARNERS, _("One row per enrolment"))],
    )
