from django.contrib import admin

from learners.models import Enrolment, LearnerProfile, LearningEvent


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "audience_group", "province", "commune"]
    list_filter = ["audience_group", "province"]
    list_select_related = ["user", "province", "commune"]
    raw_id_fields = ["user", "commune"]
    search_fields = ["user__email", "user__full_name"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "course", "is_active", "enrolled_at"]
    list_filter = ["is_active"]
    list_select_related = ["learner", "course"]
    raw_id_fields = ["learner", "course", "course_run"]

    def has_add_permission(self, request) -> bool:
        return False  # enrolments are made through learners.services so events stay whole


@admin.register(LearningEvent)
class LearningEventAdmin(admin.ModelAdmin):
    list_display = ["kind", "learner", "course", "province", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["learner", "course", "province"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
