"""What the API's write endpoints read and answer: enrolments of officials (docs/decisions/0035)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.views.base import StrictSerializer

# A request enrols at most this many people: a province's list is sent in parts, each its own key.
ENROLMENT_MAX_PEOPLE = 500


class OfficialSerializer(StrictSerializer):
    full_name = serializers.CharField(max_length=150)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    audience_group = serializers.CharField(
        max_length=64, help_text=_("An audience group's code, as in the roster template.")
    )
    commune = serializers.CharField(max_length=5, help_text=_("The official code of the commune of today."))
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EnrolmentRequestSerializer(StrictSerializer):
    course_run = serializers.IntegerField(min_value=1)
    people = OfficialSerializer(many=True, allow_empty=False, max_length=ENROLMENT_MAX_PEOPLE)


class EnrolmentResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("The person's place in the request's `people`, from 0."))
    email = serializers.CharField()
    phone = serializers.CharField()
    result = serializers.ChoiceField(choices=["enrolled", "already_enrolled", "invited", "refused"])
    reason = serializers.CharField(help_text=_("Why a person was refused, as a stable code (empty otherwise)."))
    reason_text = serializers.CharField()
    account_id = serializers.IntegerField(allow_null=True)


class EnrolmentAnswerSerializer(serializers.Serializer):
    course_run = serializers.IntegerField()
    roster_import = serializers.IntegerField()
    results = EnrolmentResultSerializer(many=True)


# Marks per request: a day seats a few hundred at most.
ATTENDANCE_MAX_MARKS = 1000


class MarkSerializer(StrictSerializer):
    learner = serializers.IntegerField(min_value=1, help_text=_("The learner's account id."))
    present = serializers.BooleanField()


class AttendanceRequestSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=500, help_text=_("Why the attendance is recorded, kept with each change.")
    )
    attendance = MarkSerializer(many=True, allow_empty=False, max_length=ATTENDANCE_MAX_MARKS)


class MarkResultSerializer(serializers.Serializer):
    learner = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["present", "absent", "unchanged", "refused"])
    reason_text = serializers.CharField()


class AttendanceAnswerSerializer(serializers.Serializer):
    day = serializers.IntegerField()
    results = MarkResultSerializer(many=True)
