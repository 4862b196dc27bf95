from django.contrib import admin

from reporting.models import ExportFile, FillState, SummaryCount, Target, UnitMapping


class ReadOnlyAdmin(admin.ModelAdmin):
    """Statistics are written only by the fold and the rebuild."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SummaryCount)
class SummaryCountAdmin(ReadOnlyAdmin):
    list_display = [
        "grain",
        "period_start",
        "province_id",
        "commune_id",
        "course_id",
        "audience_group",
        "learner_joined",
        "enrolled",
        "course_completed",
        "certificate_issued",
    ]
    list_filter = ["grain", "audience_group"]
    date_hierarchy = "period_start"


@admin.register(FillState)
class FillStateAdmin(ReadOnlyAdmin):
    list_display = ["statistic", "mark", "updated_at"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["name", "measure", "audience_group", "province", "starts_on", "ends_on", "goal"]
    list_filter = ["measure", "audience_group"]
    list_select_related = ["province"]
    search_fields = ["name"]


@admin.register(UnitMapping)
class UnitMappingAdmin(admin.ModelAdmin):
    list_display = ["level", "old_id", "new_id", "effective_on"]
    list_filter = ["level"]


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdmin):
    list_display = ["what", "file_format", "owner", "province", "status", "rows", "created_at"]
    list_filter = ["status", "what"]
    list_select_related = ["owner", "province"]
