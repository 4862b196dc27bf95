"""The back office for administrative units and users.

A user's role, bound province and back-office flags change only through
onetouch.services.staff_accounts: the flags follow from the role and are shown, never edited.
"""

from collections.abc import Callable, Iterable

from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onetouch.models import Commune, Invitation, Province, User
from onetouch.pure.phones import mobile_number_normalize
from onetouch.services.staff_accounts import user_role_change, user_role_check

ROLE_FIELDS = ("role", "scope_province")


def each_through_service(model_admin: admin.ModelAdmin, request: HttpRequest, rows: Iterable, service: Callable) -> int:
    """Run a back-office action's service on each selected row; return how many it changed.

    A row the service refuses is named with the service's reason and left as it was; the others go on.
    """
    done = 0
    for row in rows:
        try:
            service(row)
        except ValidationError as error:
            model_admin.message_user(request, f"{row}: {' '.join(error.messages)}", messages.ERROR)
        else:
            done += 1
    return done


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows shown in the back office and written only by the services that own them (every app uses it)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["name", "code"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["name", "code"]


class RoleCheckMixin:
    """Refuse, with the service's message, a role and province the service would refuse."""

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if "role" in cleaned_data:
            try:
                user_role_check(role=cleaned_data["role"], province=cleaned_data.get("scope_province"))
            except ValidationError as error:
                self.add_error("scope_province" if "scope_province" in self.fields else None, error)
        return cleaned_data


class UserRoleChangeForm(RoleCheckMixin, UserChangeForm):
    def clean_phone(self) -> str | None:
        # Stored as sign-in finds it (+84…), however it was typed.
        phone = self.cleaned_data.get("phone")
        return mobile_number_normalize(phone) if phone else None


class UserRoleCreationForm(RoleCheckMixin, AdminUserCreationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Accounts added here sign in by email (staff, mostly); a phone-only account comes from a roster.
        self.fields["email"].required = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserRoleChangeForm
    add_form = UserRoleCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "scope_province", "is_active"]
    list_filter = ["role", "is_active", "scope_province"]
    list_select_related = ["scope_province"]
    search_fields = ["email", "full_name", "phone"]
    autocomplete_fields = ["scope_province"]
    readonly_fields = ["is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "phone_verified"]}),
        (_("Role"), {"fields": ["role", "scope_province", "is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "scope_province", "password1", "password2"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        """Save the person's fields here and the role through its service, which sets the flags."""
        role, province = obj.role, obj.scope_province
        if change:
            stored = User.objects.get(pk=obj.pk)
            obj.role, obj.scope_province = stored.role, stored.scope_province
            other_fields = [name for name in form.changed_data if name not in ROLE_FIELDS and name != "groups"]
            if other_fields:
                obj.save(update_fields=other_fields)
        else:
            # A new account starts as a learner; the service then gives it the chosen role.
            obj.role, obj.scope_province = User.Role.LEARNER, None
            super().save_model(request, obj, form, change)
        if not change or any(name in form.changed_data for name in ROLE_FIELDS):
            user_role_change(user=obj, role=role, province=province)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are made by the rosters import and sent by the worker (services/invitations.py)."""

    list_display = ["user", "purpose", "channel", "created_at", "sent_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["purpose", "channel"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__phone", "user__full_name"]
    exclude = ["secret_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# The identity provider is configured by the environment only (OIDC_*, docs/decisions/0033): the
# adapter reads no provider from the database, so the back office offers none to add, and no tokens are
# kept. Linked sign-ins stay visible (and removable).
for _model in (SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
