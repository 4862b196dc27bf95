"""What the API answers about in-person days: the trainer's list of days, and a day's attendance page."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import CourseRefSerializer, ProvinceSerializer
from inperson.models import Attendance
from inperson.selectors.attendance import RosterRow, name_of


class CommuneSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DayRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class DaySerializer(serializers.Serializer):
    """An in-person day as the trainer's list of days shows it."""

    id = serializers.IntegerField()
    course = CourseRefSerializer(source="course_run.course")
    course_run = DayRunSerializer()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    venue_name = serializers.CharField()
    venue_address = serializers.CharField()
    venue_commune = CommuneSerializer()
    province = ProvinceSerializer(help_text=_("The province where the day is held."))
    capacity = serializers.IntegerField()
    seats_signed_up = serializers.IntegerField()
    seats_waiting = serializers.IntegerField()
    cancelled_at = serializers.DateTimeField(allow_null=True, help_text=_("Set when the day is cancelled."))
    cancel_reason = serializers.CharField(allow_blank=True)


class RosterRowSerializer(serializers.Serializer):
    """One learner of the day's roster, as the attendance page lists them."""

    learner = serializers.IntegerField(source="learner.id", help_text=_("The learner's account id."))
    name = serializers.SerializerMethodField()
    commune = serializers.CharField(source="commune_name", allow_blank=True)
    contact = serializers.CharField(allow_blank=True, help_text=_("Phone or email, masked as on the sign-in sheet."))
    signed_up = serializers.BooleanField()
    present = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(
        source="attendance.checked_in_at", allow_null=True, default=None, help_text=_("null: never checked in.")
    )
    method = serializers.ChoiceField(
        source="attendance.method",
        choices=Attendance.Method.choices,
        allow_null=True,
        default=None,
        help_text=_("How the attendance was recorded; with `present` false, it was corrected to absent."),
    )

    def get_name(self, row: RosterRow) -> str:
        return name_of(row.learner)


class CheckInWindowSerializer(serializers.Serializer):
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class AttendanceCountsSerializer(serializers.Serializer):
    signed_up = serializers.IntegerField()
    present = serializers.IntegerField()


class DayDetailSerializer(DaySerializer):
    """A day with its check-in window and its roster with attendance, as its attendance page shows it."""

    checkin_window = CheckInWindowSerializer(allow_null=True, help_text=_("null for a cancelled day."))
    attendance_counts = AttendanceCountsSerializer()
    roster = RosterRowSerializer(
        many=True, help_text=_("The learners signed up, and anyone with an attendance, by name.")
    )
