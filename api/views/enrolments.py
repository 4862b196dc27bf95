"""/api/v1/enrolments/: POST enrols or invites officials into a course run, as a roster import does;
GET lists a course's enrolments (api/views/enrolment_reads.py)."""

from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.pure.idempotency import HEADER
from api.serializers_writes import EnrolmentAnswerSerializer, EnrolmentRequestSerializer
from api.services.enrolments import Official, api_enrolments_create, enrolment_results
from api.views.enrolment_reads import EnrolmentList
from api.views.idempotent import IdempotentWriteView
from rosters.selectors.imports import course_run_get_for_roster

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=_("A unique text per operation (a UUID): a retry with the same key and body is applied once."),
)


def acting_account(request: Request):
    """Who is recorded as importing and inviting: the signed-in person, or the admin who made the key."""
    return request.auth.created_by if getattr(request.user, "api_key_id", None) else request.user


class EnrolmentCreate(IdempotentWriteView):
    """Enrol existing accounts, or invite new officials, into a run the requester's roster could fill."""

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        request=EnrolmentRequestSerializer,
        responses={201: EnrolmentAnswerSerializer},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def write(self, request: Request) -> Response:
        body = EnrolmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A run outside the requester's scope is 404, exactly as a missing one (the roster pages' rule).
        run = course_run_get_for_roster(user=request.user, run_id=body.validated_data["course_run"])
        officials = [Official(**person) for person in body.validated_data["people"]]
        try:
            roster_import = api_enrolments_create(
                run=run, officials=officials, requester=request.user, by=acting_account(request)
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"course_run": error.messages}) from None
        answer = {
            "course_run": run.id,
            "roster_import": roster_import.id,
            "results": [asdict(result) for result in enrolment_results(roster_import)],
        }
        return Response(EnrolmentAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


class EnrolmentCollection(EnrolmentList, EnrolmentCreate):
    """One address for a course's enrolments: GET reads them (EnrolmentList), POST adds officials (EnrolmentCreate)."""
