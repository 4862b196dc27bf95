"""/api/v1/me/…: a signed-in learner's own profile and enrolments (docs/decisions/0038).

Through the learners app's own selectors and service, as the profile page, My learning and the
"Enrol" button use them. For people only: the site's session (CSRF for writes) or the app's
X-Session-Token; an API key gets the `learner-only` problem (api.permissions.IsSignedInPerson).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsSignedInPerson
from api.serializers_me import (
    MeSerializer,
    MyEnrolmentRequestSerializer,
    MyEnrolmentSerializer,
    me_data,
    my_enrolment_data,
)
from api.views.base import ApiGenericView, ApiView
from api.views.enrolments import IDEMPOTENCY_PARAMETER
from api.views.idempotent import IdempotentWriteView
from learners.selectors.enrolments import (
    course_get_published,
    enrolment_list_for_learner,
    enrolments_next_lesson_set,
    learner_profile_get,
)
from learners.services.enrolments import enrolment_create


class Me(ApiView):
    """The signed-in account: name, email, phone and the profile page's answers."""

    permission_classes = [IsSignedInPerson]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        profile = learner_profile_get(user=request.user)
        return Response(MeSerializer(me_data(user=request.user, profile=profile)).data)


class MyEnrolmentCursorPagination(CursorPagination):
    """My learning's order: the newest enrolment first."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-enrolled_at", "-id")


class MyEnrolmentList(ApiGenericView):
    permission_classes = [IsSignedInPerson]
    serializer_class = MyEnrolmentSerializer
    pagination_class = MyEnrolmentCursorPagination

    @extend_schema(responses=MyEnrolmentSerializer(many=True))
    def get(self, request: Request) -> Response:
        """My courses, as My learning shows them: progress, the next lesson, completion and certificate."""
        page = self.paginate_queryset(enrolment_list_for_learner(learner=request.user))
        page = enrolments_next_lesson_set(enrolments=page, learner=request.user)
        return self.get_paginated_response(
            self.get_serializer([my_enrolment_data(row) for row in page], many=True).data
        )


class MyEnrolmentCreate(IdempotentWriteView):
    permission_classes = [IsSignedInPerson]

    @extend_schema(
        request=MyEnrolmentRequestSerializer, responses={201: MyEnrolmentSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        """Enrol myself, as the course page's "Enrol" button does (the same again: the same enrolment)."""
        return super().post(request, *args, **kwargs)

    def write(self, request: Request) -> Response:
        body = MyEnrolmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A draft or an unknown slug: 404, as the button's page.
        course = course_get_published(slug=body.validated_data["course"], with_runs=True)
        try:
            enrolment = enrolment_create(learner=request.user, course=course)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"course": error.messages}) from None
        row = enrolment_list_for_learner(learner=request.user).get(id=enrolment.id)
        row = enrolments_next_lesson_set(enrolments=[row], learner=request.user)[0]
        return Response(MyEnrolmentSerializer(my_enrolment_data(row)).data, status=status.HTTP_201_CREATED)


class MyEnrolmentCollection(MyEnrolmentList, MyEnrolmentCreate):
    """One address for my enrolments: GET lists them, POST enrols me in a course."""
