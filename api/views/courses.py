"""GET /api/v1/courses/ and /api/v1/courses/{slug}/: the catalogue and a course page, as JSON."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import QueryInvalid
from api.selectors.courses import course_get_for_api, course_list_for_api
from api.serializers import CourseDetailSerializer, CourseSerializer
from api.views.base import ApiGenericView
from courses.forms.catalogue import CatalogueFilterForm
from courses.selectors.catalogue import CatalogueFilters, CatalogueSort


class CatalogueCursorPagination(CursorPagination):
    """Cursor pages in the catalogue's chosen order (the view's filters say which)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = CatalogueSort.ORDER_BY[CatalogueSort.NEWEST]

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return tuple(view.filters.order_by)


def catalogue_filters_read(request: Request) -> CatalogueFilters:
    """The catalogue page's own filter form reads the query; its messages become the problem's errors."""
    form = CatalogueFilterForm({name: request.query_params.get(name, "") for name in ("q", *FILTER_NAMES)})
    if not form.is_valid():
        raise QueryInvalid({name: [str(message) for message in messages] for name, messages in form.errors.items()})
    return form.filters()


FILTER_NAMES = ("audience", "topic", "province", "format", "sort")


def filter_codes(name: str) -> list[str]:
    """The values the catalogue's filter `name` takes (its empty choice, "any", left out)."""
    return [code for code, _label in CatalogueFilterForm.base_fields[name].choices if code]


FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description=_("Words searched in titles and summaries, accents optional.")),
    OpenApiParameter("audience", OpenApiTypes.STR, enum=filter_codes("audience")),
    OpenApiParameter("topic", OpenApiTypes.STR, enum=filter_codes("topic")),
    OpenApiParameter("province", OpenApiTypes.STR, description=_('A province\'s two-digit code, or "national".')),
    OpenApiParameter("format", OpenApiTypes.STR, enum=filter_codes("format")),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[code for code, _label in CatalogueSort.CHOICES]),
]


class CourseList(ApiGenericView):
    """Published courses and their runs, as the catalogue lists them."""

    serializer_class = CourseSerializer
    pagination_class = CatalogueCursorPagination

    @extend_schema(parameters=FILTER_PARAMETERS, responses=CourseSerializer(many=True))
    def get(self, request: Request) -> Response:
        self.filters = catalogue_filters_read(request)
        page = self.paginate_queryset(course_list_for_api(filters=self.filters))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CourseDetail(ApiGenericView):
    """One course as its page shows it; a draft only to those who may preview it there."""

    serializer_class = CourseDetailSerializer

    def get(self, request: Request, slug: str) -> Response:
        course = course_get_for_api(slug=slug, user=request.user)
        if course is None:
            raise Http404
        return Response(self.get_serializer(course).data)
