"""Template tags of the statistics pages."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import mark_safe

from reporting.pure.charts import Bar
from reporting.selectors.figures import MEASURES, Figures

register = template.Library()


@register.simple_tag
def figure_cells(figures: Figures) -> str:
    """The table cells of one row of figures.

    A tag rather than an included template: a year's trend and a province's communes make a few
    hundred rows, and an include per row was the largest part of the page's rendering time.
    Every value is a whole number or the rate below, so there is nothing to escape; whole
    numbers are grouped as the language writes them (10.000.000, 10,000,000: onetouch/formats/).
    """
    cells = (f'<td data-measure="{name}">{_value(figures, name)}</td>' for name in MEASURES)
    return mark_safe("".join(cells))  # noqa: S308 (whole numbers and constant names only)


@register.simple_tag
def figure_value(figures: Figures, name: str) -> str:
    """One figure as the tables write it, for the totals' tiles."""
    if name not in MEASURES:
        raise template.TemplateSyntaxError(f"unknown measure {name!r}")
    return _value(figures, name)


def _value(figures: Figures, name: str) -> str:
    if name != "completion_rate":
        return intcomma(getattr(figures, name))
    if figures.completion_rate is None:
        return "–"
    return f"{round(figures.completions / figures.enrolments * 100)}%"  # rounded like the widthratio tag


@register.simple_tag
def trend_bars_svg(bars: list[Bar]) -> str:
    """The trend chart's bars: a group per bucket, titled with its date and figures.

    Drawn here for the same reason as figure_cells: a year is 53 to 365 bars. Dates and whole
    numbers and floats need no escaping.
    """
    return mark_safe("".join(_bar_svg(bar) for bar in bars))  # noqa: S308 (numbers and dates only)


def _bar_svg(bar: Bar) -> str:
    return (
        f"<g><title>{bar.start:%d/%m/%Y}: {bar.figures.enrolments} / {bar.figures.completions}</title>"
        f'<rect class="enrolments" x="{bar.x}" y="{bar.enrolments_y}" width="{bar.width}" '
        f'height="{bar.enrolments_height}"/>'
        f'<rect class="completions" x="{bar.x}" y="{bar.completions_y}" width="{bar.width}" '
        f'height="{bar.completions_height}"/></g>'
    )
