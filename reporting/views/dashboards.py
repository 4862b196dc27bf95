from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onetouch import scope
from onetouch.db_routers import replica_reads
from onetouch.models import Province
from reporting.forms import DashboardFilterForm
from reporting.pure import charts, geo
from reporting.selectors.courses import course_list_for_filters
from reporting.selectors.dashboards import dashboard_get

# The sortable columns of the province and commune tables, in the order they are shown.
COLUMNS = (
    ("code", _("Code")),
    ("name", _("Name")),
    ("learners", _("New learners")),
    ("enrolments", _("Enrolments")),
    ("completions", _("Online completions")),
    ("completion_rate", _("Completion rate")),
    ("certificates", _("Certificates")),
    ("attendances", _("In-person attendances")),
    ("completions_in_person", _("In-person completions")),
)
TREND_WIDTH, TREND_HEIGHT = 600, 160
# The map's legend sits in the open sea north-east of the mainland, above Hoàng Sa (map units).
LEGEND_AT, LEGEND_BASELINE, LEGEND_VALUES_Y = (206.0, 16.0), 62.0, 78.0


@dataclass(frozen=True)
class SortLink:
    column: str
    label: str
    next_sort: str  # the value the column's header link asks for
    aria_sort: str  # "ascending", "descending" or "none"


# Dashboards read from the replica when there is one (onetouch.db_routers): the user and session
# are read before, on the primary, by the middleware and login_required.
@require_safe
@login_required
@replica_reads()
def national_dashboard(request: HttpRequest) -> HttpResponse:
    if not scope.has_national_scope(request.user):
        raise PermissionDenied
    return _dashboard_render(request, province=None)


@require_safe
@login_required
@replica_reads()
def province_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    province = scope.get_province_or_404(request.user, code)
    return _dashboard_render(request, province=province)


def _dashboard_render(request: HttpRequest, *, province: Province | None) -> HttpResponse:
    template = "reporting/province.html" if province else "reporting/national.html"
    courses = course_list_for_filters(user=request.user)
    form = DashboardFilterForm(request.GET, courses=courses, with_map=province is None)
    if not form.is_valid():
        return render(request, template, {"form": form, "province": province}, status=400)
    dashboard = dashboard_get(filters=form.filters(), province=province, courses=courses)
    context = {
        "form": form,
        "province": province,
        "dashboard": dashboard,
        "national_link": province is not None and scope.has_national_scope(request.user),
        "sort_links": _sort_links(dashboard.filters.sort),
        "trend_bars": charts.trend_bars(dashboard.trend, width=TREND_WIDTH, height=TREND_HEIGHT),
        "trend_size": (TREND_WIDTH, TREND_HEIGHT),
        "trend_axis": charts.date_axis([start for start, _figures in dashboard.trend], dashboard.trend_grain),
    }
    if province is None:
        names = {place.code: place.name for place in dashboard.places}
        circles = charts.map_circles(dashboard.places, dashboard.filters.measure)
        largest = max((circle.value for circle in circles), default=0)
        context["map_circles"] = circles
        context["archipelagos"] = charts.archipelago_marks(names)
        context["map_size"] = (geo.WIDTH, geo.HEIGHT)
        context["map_outline"] = geo.outline_path()
        context["map_measure"] = dict(form.fields["measure"].choices)[dashboard.filters.measure]
        context["map_legend"] = charts.map_legend(largest, x=LEGEND_AT[0], y=LEGEND_BASELINE)
        context["map_legend_at"] = LEGEND_AT
        context["map_legend_values_y"] = LEGEND_VALUES_Y
    return render(request, template, context)


def _sort_links(current: str) -> list[SortLink]:
    """Header links: a click sorts by the column, a second click reverses the order."""
    links = []
    for column, label in COLUMNS:
        descending_first = column not in ("code", "name")
        first = f"-{column}" if descending_first else column
        other = column if descending_first else f"-{column}"
        state = {column: "ascending", f"-{column}": "descending"}.get(current, "none")
        links.append(SortLink(column, str(label), other if current == first else first, state))
    return links
