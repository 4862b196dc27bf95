"""What the API answers about learners' progress: the completions feed and a course's enrolments.

A learner is shown as the province's learner export shows them (name, province, commune, audience
group), with the email and mobile number an HR system matches its officials by, as the roster
import does.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import CourseRefSerializer
from learners.models import Certificate, CourseCompletion
from learners.pure.certificates import certificate_verify_url


class LearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True)


class CertificateSerializer(serializers.Serializer):
    code = serializers.CharField()
    issued_at = serializers.DateTimeField()
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    verify_url = serializers.URLField(
        help_text=_("The public page that verifies the certificate (its QR code's address).")
    )


def certificate_of(completion: CourseCompletion | None) -> dict | None:
    if completion is None:
        return None
    try:
        certificate = completion.certificate
    except Certificate.DoesNotExist:
        return None
    return {
        "code": certificate.code,
        "issued_at": certificate.issued_at,
        "revoked": certificate.revoked_at is not None,
        "revoked_at": certificate.revoked_at,
        "verify_url": certificate_verify_url(certificate.code),
    }


class CompletionEventSerializer(serializers.Serializer):
    """One event of the feed, with the completion's and certificate's state now."""

    id = serializers.IntegerField(help_text=_("The event's id: unique, for de-duplicating on the client's side."))
    kind = serializers.ChoiceField(choices=["course_completed", "certificate_issued", "certificate_revoked"])
    occurred_at = serializers.DateTimeField()
    enrolment = serializers.IntegerField(help_text=_("The enrolment's id, as the learner export's first column."))
    learner = LearnerSerializer()
    province = serializers.CharField(allow_null=True, help_text=_("The learner's province code when it happened."))
    commune = serializers.CharField(allow_null=True, help_text=_("The learner's commune code when it happened."))
    audience_group = serializers.CharField(allow_blank=True)
    course = CourseRefSerializer()
    completed_at = serializers.DateTimeField(allow_null=True)
    certificate = CertificateSerializer(
        allow_null=True, help_text=_("The certificate as it is now (revoked or not); null until it is issued.")
    )


def completion_event_data(event, completion: CourseCompletion | None) -> dict:
    return {
        "id": event.id,
        "kind": event.kind,
        "occurred_at": event.occurred_at,
        "enrolment": event.enrolment_id,
        "learner": event.learner,
        "province": event.province.code if event.province_id else None,
        "commune": event.commune.code if event.commune_id else None,
        "audience_group": event.audience_group,
        "course": event.course,
        "completed_at": completion.completed_at if completion else None,
        "certificate": certificate_of(completion),
    }


class CompletionFeedSerializer(serializers.Serializer):
    results = CompletionEventSerializer(many=True)
    next_cursor = serializers.CharField(help_text=_("Send it as `since` in the next request; given even when empty."))
    has_more = serializers.BooleanField(help_text=_("True: ask again at once; false: poll later with next_cursor."))


class EnrolmentSerializer(serializers.Serializer):
    """A learner's enrolment in the course, as a row of the learner export, with progress."""

    id = serializers.IntegerField(help_text=_("The enrolment's id, as the learner export's first column."))
    learner = LearnerSerializer()
    province = serializers.CharField(allow_null=True, help_text=_("The learner's province code now."))
    commune = serializers.CharField(allow_null=True, help_text=_("The learner's commune code now."))
    audience_group = serializers.CharField(allow_null=True)
    course_run = serializers.CharField(allow_null=True, help_text=_("The run's title; null when self-paced."))
    is_active = serializers.BooleanField(help_text=_("False once the learner left the course."))
    enrolled_at = serializers.DateTimeField()
    progress_percent = serializers.IntegerField(help_text=_("Required lessons done, in per cent (0 to 100)."))
    completed_at = serializers.DateTimeField(allow_null=True)
    certificate = CertificateSerializer(allow_null=True)


def enrolment_data(enrolment) -> dict:
    profile = getattr(enrolment.learner, "profile", None)
    certificate = None
    if enrolment.certificate_code:
        certificate = {
            "code": enrolment.certificate_code,
            "issued_at": enrolment.certificate_issued_at,
            "revoked": enrolment.certificate_revoked_at is not None,
            "revoked_at": enrolment.certificate_revoked_at,
            "verify_url": certificate_verify_url(enrolment.certificate_code),
        }
    return {
        "id": enrolment.id,
        "learner": enrolment.learner,
        "province": profile.province.code if profile else None,
        "commune": profile.commune.code if profile else None,
        "audience_group": profile.audience_group if profile else None,
        "course_run": enrolment.course_run.title if enrolment.course_run_id else None,
        "is_active": enrolment.is_active,
        "enrolled_at": enrolment.enrolled_at,
        "progress_percent": enrolment.progress_percent,
        "completed_at": enrolment.completed_at,
        "certificate": certificate,
    }
