"""The back office of reporting: statistics and export files to read, targets and unit mappings to edit.

Every save and delete of a target or a unit mapping goes through reporting.services.targets, with
the rules any other caller gets.
"""

from django.contrib import admin

from onetouch.admin import ReadOnlyAdmin
from reporting.models import ExportFile, FillState, Target, UnitMapping
from reporting.services.targets import target_delete, target_save, unit_mapping_delete, unit_mapping_save


@admin.register(FillState)
class FillStateAdmin(ReadOnlyAdmin):
    list_display = ["statistic", "mark", "updated_at"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["name", "measure", "audience_group", "province", "starts_on", "ends_on", "goal"]
    list_filter = ["measure", "audience_group"]
    list_select_related = ["province"]
    search_fields = ["name"]

    def save_model(self, request, obj: Target, form, change: bool) -> None:
        target_save(target=obj)

    def delete_model(self, request, obj: Target) -> None:
        target_delete(target=obj)

    def delete_queryset(self, request, queryset) -> None:
        # The "delete selected" action: one target at a time, through the service.
        for target in queryset:
            target_delete(target=target)


@admin.register(UnitMapping)
class UnitMappingAdmin(admin.ModelAdmin):
    list_display = ["level", "old_id", "new_id", "effective_on"]
    list_filter = ["level"]

    def save_model(self, request, obj: UnitMapping, form, change: bool) -> None:
        unit_mapping_save(mapping=obj)

    def delete_model(self, request, obj: UnitMapping) -> None:
        unit_mapping_delete(mapping=obj)

    def delete_queryset(self, request, queryset) -> None:
        # The "delete selected" action: one mapping at a time, through the service.
        for mapping in queryset:
            unit_mapping_delete(mapping=mapping)


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdmin):
    list_display = ["what", "file_format", "owner", "province", "status", "rows", "created_at"]
    list_filter = ["status", "what"]
    list_select_related = ["owner", "province"]
