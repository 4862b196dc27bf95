"""What the API answers a learner about themselves: the profile page and My learning, as JSON."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import CourseRefSerializer, CourseRunSerializer, ProvinceSerializer
from api.serializers_days import CommuneSerializer
from api.views.base import StrictSerializer
from learners.models import Enrolment, LearnerProfile
from learners.pure.certificates import certificate_verify_url
from onetouch.models import User


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField(help_text=_("In the language of Accept-Language."))


class LearnerProfileSerializer(serializers.Serializer):
    """The profile page's fields."""

    audience_group = ChoiceSerializer()
    province = ProvinceSerializer()
    commune = CommuneSerializer()
    organisation = serializers.CharField(allow_blank=True)
    position = serializers.CharField(allow_blank=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField(allow_blank=True)
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True, help_text=_("E.164 (+84…)."))
    phone_verified = serializers.BooleanField()
    profile = LearnerProfileSerializer(
        allow_null=True, help_text=_("Null for an account that never answered the profile questions (staff).")
    )


def me_data(*, user: User, profile: LearnerProfile | None) -> dict:
    return {
        "id": user.id,
        "full_name": user.full_name,
        "email": user.email or None,
        "phone": user.phone or None,
        "phone_verified": bool(user.phone and user.phone_verified),
        "profile": None
        if profile is None
        else {
            "audience_group": {"value": profile.audience_group, "label": profile.get_audience_group_display()},
            "province": profile.province,
            "commune": profile.commune,
            "organisation": profile.organisation,
            "position": profile.position,
        },
    }


class MyCertificateSerializer(serializers.Serializer):
    code = serializers.CharField()
    revoked = serializers.BooleanField()
    verify_url = serializers.URLField(
        help_text=_("The public page that verifies the certificate (its QR code's address).")
    )


class LessonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MyEnrolmentSerializer(serializers.Serializer):
    """One card of My learning."""

    id = serializers.IntegerField()
    course = CourseRefSerializer()
    course_run = CourseRunSerializer(allow_null=True, help_text=_("Null when the course is self-paced."))
    enrolled_at = serializers.DateTimeField()
    progress_percent = serializers.IntegerField(help_text=_("Required lessons done, in per cent (0 to 100)."))
    required_lessons = serializers.IntegerField()
    done_lessons = serializers.IntegerField()
    next_lesson = LessonRefSerializer(
        allow_null=True, help_text=_("Where “Continue” leads (the outline's next lesson); null when none is left.")
    )
    completed_at = serializers.DateTimeField(allow_null=True)
    certificate = MyCertificateSerializer(allow_null=True, help_text=_("Null until the certificate is issued."))


def my_enrolment_data(enrolment: Enrolment) -> dict:
    """A row of learners.selectors.enrolments.enrolment_list_for_learner, with its next lesson set."""
    certificate = None
    if enrolment.certificate_code:
        certificate = {
            "code": enrolment.certificate_code,
            "revoked": enrolment.certificate_revoked_at is not None,
            "verify_url": certificate_verify_url(enrolment.certificate_code),
        }
    return {
        "id": enrolment.id,
        "course": enrolment.course,
        "course_run": enrolment.course_run,
        "enrolled_at": enrolment.enrolled_at,
        "progress_percent": enrolment.progress_percent,
        "required_lessons": enrolment.required_lessons,
        "done_lessons": enrolment.done_lessons,
        "next_lesson": enrolment.next_lesson,
        "completed_at": enrolment.completed_at,
        "certificate": certificate,
    }


class MyEnrolmentRequestSerializer(StrictSerializer):
    course = serializers.SlugField(
        allow_unicode=True, help_text=_("The published course's slug; you join its earliest run not yet ended.")
    )
