"""Back-office pages of announcements: read-only, since every write goes through the studio and the services."""

from django.contrib import admin

from announcements.models import Announcement, Delivery, EmailOptOut


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["title", "target", "course", "course_run", "province", "author", "created_at", "recipient_count"]
    list_filter = ["target", "scope_province"]
    list_select_related = ["course", "course_run", "province", "author"]
    search_fields = ["title"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "learner",
        "kind",
        "announcement",
        "course_run",
        "created_at",
        "sent_at",
        "outcome",
        "channel",
        "attempts",
    ]
    list_filter = ["kind", "outcome", "channel"]
    list_select_related = ["learner", "announcement", "course_run"]
    raw_id_fields = ["learner", "announcement", "course_run"]


@admin.register(EmailOptOut)
class EmailOptOutAdmin(ReadOnlyAdmin):
    list_display = ["learner", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["learner"]
