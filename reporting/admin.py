from django.contrib import admin

from reporting.models import DailyCount, FillState


class ReadOnlyAdmin(admin.ModelAdmin):
    """Statistics are written only by the fold and the rebuild."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DailyCount)
class DailyCountAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "course", "province_id", "commune_id", "audience_group", "count"]
    list_filter = ["kind", "audience_group"]
    list_select_related = ["course"]
    date_hierarchy = "day"


@admin.register(FillState)
class FillStateAdmin(ReadOnlyAdmin):
    list_display = ["statistic", "mark", "updated_at"]
