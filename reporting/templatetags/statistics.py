"""Template tags of the statistics pages."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join

from reporting.selectors import Figures

register = template.Library()

# The figure columns of every statistics table, in the order of templates/reporting/_figure_headers.html.
_COLUMNS = ("learners", "enrolments", "completions", "completion_rate", "certificates", "attendances")


@register.simple_tag
def figure_cells(figures: Figures) -> str:
    """The table cells of one row of figures.

    A tag rather than an included template: a year's trend and a province's communes make a few
    hundred rows, and an include per row was the largest part of the page's rendering time.
    """
    values = [localize(getattr(figures, name)) for name in _COLUMNS]
    values[3] = _rate(figures)
    values.append(localize(figures.completions_in_person))
    names = (*_COLUMNS, "completions_in_person")
    return format_html_join("", '<td data-measure="{}">{}</td>', zip(names, values, strict=True))


def _rate(figures: Figures) -> str:
    """The completion rate as a whole percentage, rounded like the widthratio tag, or a dash."""
    if figures.completion_rate is None:
        return "–"
    return format_html("{}%", round(figures.completions / figures.enrolments * 100))
