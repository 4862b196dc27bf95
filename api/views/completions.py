"""GET /api/v1/completions/: completions, certificates and revocations since a cursor, for an HR system to poll."""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import QueryInvalid
from api.pure.cursors import feed_cursor_read, feed_cursor_text
from api.selectors.completions import FeedPosition, completion_feed_page
from api.serializers_learning import CompletionEventSerializer, CompletionFeedSerializer, completion_event_data
from api.views.base import ApiGenericView
from onetouch import scope

FEED_PAGE_SIZE, FEED_PAGE_SIZE_MAX = 100, 500


class FeedQuery(serializers.Serializer):
    since = serializers.CharField(required=False, allow_blank=True)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=FEED_PAGE_SIZE_MAX)


def feed_query_read(request: Request) -> tuple[FeedPosition, int]:
    query = FeedQuery(
        data={name: request.query_params[name] for name in ("since", "page_size") if name in request.query_params}
    )
    if not query.is_valid():
        raise QueryInvalid({name: [str(message) for message in messages] for name, messages in query.errors.items()})
    since = query.validated_data.get("since") or ""
    position = FeedPosition()
    if since:
        read = feed_cursor_read(since)
        if read is None:
            raise QueryInvalid({"since": [_("This cursor was not given by this API: start without one.")]})
        position = FeedPosition(*read)
    return position, query.validated_data.get("page_size", FEED_PAGE_SIZE)


class CompletionFeed(ApiGenericView):
    """Completions, certificates issued and certificates revoked of the requester's learners, oldest first.

    The learners and courses of the province's learner export (the ministry: all). Start without
    `since`, then send each answer's `next_cursor`: every event comes once, a revocation as an event of
    its own after the certificate it takes back.
    """

    serializer_class = CompletionEventSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.STR, description=gettext_lazy("The `next_cursor` of the previous answer.")
            ),
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                description=format_lazy(
                    gettext_lazy("1 to {most}; {default} by default."), most=FEED_PAGE_SIZE_MAX, default=FEED_PAGE_SIZE
                ),
            ),
        ],
        responses=CompletionFeedSerializer,
    )
    def get(self, request: Request) -> Response:
        if not scope.has_province_scope(request.user):
            raise PermissionDenied
        since, page_size = feed_query_read(request)
        page = completion_feed_page(user=request.user, since=since, limit=page_size)
        results = [completion_event_data(event, page.completions.get(event.enrolment_id)) for event in page.events]
        body = {
            "results": CompletionEventSerializer(results, many=True).data,
            "next_cursor": feed_cursor_text(page.next_position.transaction, page.next_position.event_id),
            "has_more": page.has_more,
        }
        return Response(body)
