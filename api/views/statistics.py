"""GET /api/v1/statistics/: the figures of the province's dashboard page (the ministry's: national), with "as of"."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import QueryInvalid
from api.serializers_statistics import StatisticsSerializer, statistics_data
from api.views.base import ApiGenericView
from onetouch import scope
from onetouch.db_routers import replica_reads
from onetouch.models import AudienceGroup
from reporting.forms import DashboardFilterForm
from reporting.selectors.courses import course_list_for_filters
from reporting.selectors.dashboards import dashboard_get

# The dashboard form's filters a script may set; the map's measure and the table's order are the page's.
FILTER_NAMES = ("start", "end", "audience", "course", "units", "trend")


class Statistics(ApiGenericView):
    """The figures of a dashboard page: a province's key its province's (by commune), the ministry's national
    (by province) or a province's with `province`. Read as the dashboards read them: from the summary
    counts, on the replica when there is one, with the moment they were counted up to (`as_of`).
    """

    serializer_class = StatisticsSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "province", OpenApiTypes.STR, description=_("A province's two-digit code (ministry keys).")
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description=_("First day; 30 days before `end` by default.")),
            OpenApiParameter("end", OpenApiTypes.DATE, description=_("Last day; today by default.")),
            OpenApiParameter("audience", OpenApiTypes.STR, enum=[code for code, _label in AudienceGroup.choices]),
            OpenApiParameter("course", OpenApiTypes.STR, description=_("A course's slug.")),
            OpenApiParameter("units", OpenApiTypes.STR, enum=["then", "now"]),
            OpenApiParameter("trend", OpenApiTypes.STR, enum=["day", "week", "month"]),
        ],
        responses=StatisticsSerializer,
    )
    def get(self, request: Request) -> Response:
        user = request.user
        if not scope.has_province_scope(user):
            raise PermissionDenied
        # As the dashboard views: the key was read on the primary, the figures come from the replica.
        with replica_reads():
            code = request.query_params.get("province", "")
            if code:
                # A code that cannot be one (a NUL byte, which PostgreSQL refuses) is a missing province.
                if not code.isascii() or not code.isdigit():
                    raise Http404
                province = scope.get_province_or_404(user, code)
            elif scope.has_national_scope(user):
                province = None
            else:
                province = scope.provinces_visible_to(user).get()  # the one province of its key
            courses = course_list_for_filters(user=user)
            data = {name: request.query_params[name] for name in FILTER_NAMES if name in request.query_params}
            form = DashboardFilterForm(data, courses=courses, with_map=province is None)
            if not form.is_valid():
                errors = form.errors
                raise QueryInvalid({name: [str(message) for message in messages] for name, messages in errors.items()})
            dashboard = dashboard_get(filters=form.filters(), province=province, courses=courses)
            return Response(self.get_serializer(statistics_data(dashboard)).data)
