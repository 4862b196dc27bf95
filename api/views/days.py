"""GET /api/v1/days/ and /api/v1/days/{id}/: the in-person days a key reaches, and one day's attendance.

Which days: api/selectors/days.py (a partner's key its organisation's days, a province's key the days
held in its province, the ministry's all). A day outside them is 404, exactly as a missing id.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.selectors.days import day_attendance_get_for_api, day_list_for_api
from api.serializers_days import DayDetailSerializer, DaySerializer
from api.views.base import ApiGenericView


class DayCursorPagination(CursorPagination):
    """Soonest first, as the trainer's list of days."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("starts_at", "id")


class DayList(ApiGenericView):
    """The in-person days the key reaches, soonest first, with their seats taken and waiting."""

    serializer_class = DaySerializer
    pagination_class = DayCursorPagination

    @extend_schema(responses=DaySerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(day_list_for_api(user=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DayDetail(ApiGenericView):
    """One day with its check-in window and its roster: who is signed up, who is present, since when, how."""

    serializer_class = DayDetailSerializer

    def get(self, request: Request, day_id: int) -> Response:
        return Response(self.get_serializer(day_attendance_get_for_api(user=request.user, day_id=day_id)).data)
