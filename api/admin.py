"""API keys in the back office: read-only (keys are made and revoked in the studio, through the services)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey
from api.services.keys import api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "kind",
        "province",
        "partner",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["kind", "province"]
    list_select_related = ["province", "partner"]
    search_fields = ["name", "prefix"]
    # The digest is no secret, but nothing here needs it on screen.
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected keys"), permissions=["view"])
    def revoke(self, request, queryset) -> None:
        for key in queryset:
            api_key_revoke(by=request.user, key=key)
        messages.success(request, _("The selected keys are revoked."))
