import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onetouch import scope
from onetouch.compression import PrecompressedText, precompressed_response
from onetouch.db_routers import replica_reads
from onetouch.models import Province
from reporting.forms import DashboardFilterForm
from reporting.pure import charts, geo
from reporting.selectors.courses import course_list_for_filters
from reporting.selectors.dashboards import dashboard_get, fold_stamp_get

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
# Stands for the viewer's CSRF token in a cached page (the sign-out form), replaced on every
# request: the only part of the page that differs between two viewers of the same scope.
CSRF_PLACEHOLDER = "csrf0placeholder0dashboard0page0csrf0placeholder0dashboard0page0"


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
    """The page from the cache when the same viewer scope saw the same figures (docs/decisions/0025).

    The key holds everything that decides what the page shows: the fold's stamp (a fold changes
    the key at once), the language, the viewer's scope (role and province decide the courses, the
    links and the header) and the URL with its filters. The viewer may read the page: checked
    before this is called.

    The browser that has the page already is told so (304, no body) when it asks again with the
    page's ETag: the key and the browser's CSRF secret, whose token its copy's sign-out form holds.
    """
    if len(messages.get_messages(request)):  # a message is shown once, to one person
        return _dashboard_page(request, province=province, csrf_token=get_token(request))
    key = _page_cache_key(request)
    etag = _page_etag(request, key)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _revalidated(not_modified, etag)
    page = cache.get(key)
    if page is None:
        response = _dashboard_page(request, province=province, csrf_token=CSRF_PLACEHOLDER)
        if response.status_code != 200:
            return HttpResponse(_csrf_put(request, response.content.decode()), status=response.status_code)
        # Compressed once here: each response compresses only its own CSRF token.
        page = PrecompressedText.of(response.content.decode(), CSRF_PLACEHOLDER)
        cache.set(key, page, settings.DASHBOARD_CACHE_SECONDS)
    return _revalidated(precompressed_response(request, page, get_token(request)), etag)


def _page_cache_key(request: HttpRequest) -> str:
    user = request.user
    scope_of_viewer = f"{user.role}.{user.scope_province_id}.{user.is_staff:d}"
    url = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"dashboard-page-parts:{fold_stamp_get()}:{get_language()}:{scope_of_viewer}:{url}"


def _page_etag(request: HttpRequest, key: str) -> str | None:
    """The page's ETag for this browser; None before it holds a CSRF secret (its first page sets one)."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not secret:
        return None
    return quote_etag(hashlib.sha256(f"{key}:{secret}".encode()).hexdigest()[:32])


def _revalidated(response: HttpResponse, etag: str | None) -> HttpResponse:
    """The browser may keep the page but asks each time (no-cache): a fold or a new sign-in changes the ETag."""
    if etag:  # weak for a gzip body, as GZipMiddleware makes it (RFC 9110 8.8.1)
        response["ETag"] = f"W/{etag}" if response.has_header("Content-Encoding") else etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _csrf_put(request: HttpRequest, html: str) -> str:
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def _dashboard_page(request: HttpRequest, *, province: Province | None, csrf_token: str) -> HttpResponse:
    template = "reporting/province.html" if province else "reporting/national.html"
    courses = course_list_for_filters(user=request.user)
    form = DashboardFilterForm(request.GET, courses=courses, with_map=province is None)
    if not form.is_valid():
        return render(request, template, {"form": form, "province": province, "csrf_token": csrf_token}, status=400)
    dashboard = dashboard_get(filters=form.filters(), province=province, courses=courses)
    context = {
        "csrf_token": csrf_token,
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
