"""GET /api/v1/enrolments/?course=<slug>: the province's learners in a course, with their progress."""

from django.core.validators import slug_unicode_re as slug_re
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import QueryInvalid
from api.selectors.enrolments import course_get_readable, enrolment_list_for_api
from api.serializers_learning import EnrolmentSerializer, enrolment_data
from api.views.base import ApiGenericView
from onetouch import scope


class EnrolmentCursorPagination(CursorPagination):
    """Oldest enrolment first, by id: a page never shifts when learners enrol meanwhile."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("id",)


class EnrolmentList(ApiGenericView):
    """A course's enrolments of the requester's learners (the ministry: all), as the learner export holds them.

    A course of another province answers 404, exactly as a course that does not exist.
    """

    serializer_class = EnrolmentSerializer
    pagination_class = EnrolmentCursorPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("course", OpenApiTypes.STR, required=True, description=gettext_lazy("The course's slug."))
        ],
        responses=EnrolmentSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not scope.has_province_scope(request.user):
            raise PermissionDenied
        slug = request.query_params.get("course", "")
        if not slug:
            raise QueryInvalid({"course": [_("Give the course's slug.")]})
        # A text that cannot be a slug (a NUL byte, which PostgreSQL refuses) names no course either.
        course = course_get_readable(user=request.user, slug=slug) if slug_re.fullmatch(slug) else None
        if course is None:
            raise Http404
        page = self.paginate_queryset(enrolment_list_for_api(user=request.user, course=course))
        return self.get_paginated_response(self.get_serializer([enrolment_data(row) for row in page], many=True).data)
