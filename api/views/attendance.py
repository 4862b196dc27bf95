"""POST /api/v1/days/{id}/attendance/: record who attended an in-person day, through inperson's attendance service."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.selectors.days import day_get_for_api
from api.serializers_writes import AttendanceAnswerSerializer, AttendanceRequestSerializer
from api.services.attendance import Mark, api_attendance_post
from api.views.enrolments import IDEMPOTENCY_PARAMETER, acting_account
from api.views.idempotent import IdempotentWriteView


class DayAttendanceCreate(IdempotentWriteView):
    """Mark learners present or absent at a day: a partner's key for its own days, a province's for its province's."""

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        request=AttendanceRequestSerializer,
        responses={200: AttendanceAnswerSerializer},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)

    def write(self, request: Request, day_id: int) -> Response:
        day = day_get_for_api(user=request.user, day_id=day_id)
        body = AttendanceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marks = [
            Mark(learner_id=mark["learner"], present=mark["present"]) for mark in body.validated_data["attendance"]
        ]
        results = api_attendance_post(
            day=day,
            marks=marks,
            reason=body.validated_data["reason"],
            requester=request.user,
            by=acting_account(request),
            partner=request.auth.partner if getattr(request.user, "api_partner_id", None) else None,
        )
        answer = {"day": day.id, "results": [asdict(result) for result in results]}
        return Response(AttendanceAnswerSerializer(answer).data, status=status.HTTP_200_OK)
