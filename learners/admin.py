"""The back office of the learner's side: profiles are saved through learners.services, the rest is read-only.

Enrolments, completions, certificates and the event log are written only by the services, which
keep the events and counts whole; the back office shows them and changes nothing.
"""

from django.contrib import admin

from learners.models import Certificate, CourseCompletion, Enrolment, LearnerProfile, LearningEvent
from learners.services.enrolments import profile_save
from onetouch.admin import ReadOnlyAdmin


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "audience_group", "province", "commune"]
    list_filter = ["audience_group", "province"]
    list_select_related = ["user", "province", "commune"]
    raw_id_fields = ["user", "commune"]
    search_fields = ["user__email", "user__full_name"]

    def save_model(self, request, obj: LearnerProfile, form, change: bool) -> None:
        # The form has already checked the place (LearnerProfile.clean); the service saves it as the site does.
        profile_save(
            user=obj.user,
            audience_group=obj.audience_group,
            province=obj.province,
            commune=obj.commune,
            organisation=obj.organisation,
            position=obj.position,
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # no service removes a profile: the statistics count the learner by it


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    # Enrolling and cancelling go through learners.services, which keep the events and counts whole.
    list_display = ["learner", "course", "is_active", "enrolled_at"]
    list_filter = ["is_active"]
    list_select_related = ["learner", "course"]
    raw_id_fields = ["learner", "course", "course_run"]


@admin.register(LearningEvent)
class LearningEventAdmin(ReadOnlyAdmin):
    list_display = ["kind", "learner", "course", "province", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["learner", "course", "province"]


@admin.register(CourseCompletion)
class CourseCompletionAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course", "course_run", "completed_at"]
    list_select_related = ["learner", "course", "course_run"]
    raw_id_fields = ["enrolment", "learner", "course", "course_run"]
    search_fields = ["learner__email", "learner__full_name", "course__title"]
    date_hierarchy = "completed_at"


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    # Revoking is done on the certificate's revoke page (certificates:revoke), through the service.
    list_display = ["code", "learner_name", "course_title", "completed_on", "issued_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["completion", "revoked_by"]
    search_fields = ["code", "learner_name", "course_title"]
    date_hierarchy = "issued_at"
