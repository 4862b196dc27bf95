"""The catalogue's filter form: the visitor's search, filters and order, read into CatalogueFilters."""

import time

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from courses.models import CourseFormat, Topic
from courses.selectors.catalogue import NATIONAL, CatalogueFilters, CatalogueSort
from onetouch.models import AudienceGroup, Province

# The provinces as this process last read them, and until when (monotonic seconds): the units change
# only by law, so an hour-old list is fresh enough and saves a query or a cache round trip a page.
_provinces_seen: tuple[list[tuple[str, str]], float] = ([], 0.0)
PROVINCES_TRUST_SECONDS = 3600


def province_choices() -> list[tuple[str, str]]:
    global _provinces_seen
    provinces, trusted_until = _provinces_seen
    if not provinces or time.monotonic() >= trusted_until:
        provinces = list(Province.objects.values_list("code", "name"))
        _provinces_seen = (provinces, time.monotonic() + PROVINCES_TRUST_SECONDS)
    return [("", _("All provinces")), (NATIONAL, _("National courses")), *provinces]


class QuickSelect(forms.Select):
    """Django's <select>, written in Python: the same markup without a template include per option.

    The filters hold about sixty options; rendered through the form templates they took two thirds
    of the catalogue page's rendering (docs/decisions/0028). Choices here are flat (no optgroups).
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        # Django's optgroups() builds a dict per option; this writes each option straight from the
        # choices, marking the first whose value is the field's value, as a single <select> does.
        values = set(self.format_value(value))
        options, has_selected = [], False
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in values
            has_selected |= selected
            options.append(
                f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>{escape(label)}</option>'
            )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{"".join(options)}\n</select>')  # noqa: S308 - escaped above


# The fields that narrow the results; the search box stays in view, these fold away on a phone.
NARROWING_FIELDS = ("audience", "topic", "province", "format")


class CatalogueFilterForm(forms.Form):
    # The search box stands outside the <form> element, above the folded filters (the form= attribute
    # ties it back), so on a phone the results follow it at once.
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"form": "catalogue-filters", "enterkeyhint": "search"}),
    )
    audience = forms.ChoiceField(
        label=_("Audience group"),
        required=False,
        choices=[("", _("All audiences"))] + AudienceGroup.choices,
        widget=QuickSelect,
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("All topics"))] + Topic.choices, widget=QuickSelect
    )
    # Choices set per form in __init__: a callable here would be called (a cache round trip) each
    # time the choices are iterated, four times a page.
    province = forms.ChoiceField(label=_("Province"), required=False, widget=QuickSelect)
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Online and blended"))] + CourseFormat.choices,
        widget=QuickSelect,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=CatalogueSort.CHOICES, widget=QuickSelect)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = province_choices()

    def narrowing_fields(self) -> list[forms.BoundField]:
        """The fields shown behind the "Filters (n)" control, sort order included."""
        return [self[name] for name in (*NARROWING_FIELDS, "sort")]

    def active_filter_count(self) -> int:
        """How many filters narrow the results now (the search and the order are not counted)."""
        if not self.is_bound:
            return 0
        return sum(1 for name in NARROWING_FIELDS if self.data.get(name))

    def filters_have_errors(self) -> bool:
        return any(self[name].errors for name in (*NARROWING_FIELDS, "sort"))

    def filters(self) -> CatalogueFilters:
        data = self.cleaned_data
        return CatalogueFilters(
            query=data["q"].strip(),
            audience=data["audience"],
            topic=data["topic"],
            province=data["province"],
            format=data["format"],
            sort=data["sort"] or CatalogueSort.NEWEST,
        )
