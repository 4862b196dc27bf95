"""The back office of in-person days.

Trainers are created and moved between partners through inperson.services.trainers. Days and seats
are shown here and written only in the studio (scope, history and the waiting list live in the services);
the notices owed to learners are shown, and written only by inperson.services.notices.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from inperson.models import Attendance, AttendanceCorrection, DayChange, DayNotice, DaySeat, InPersonDay, Trainer
from inperson.services.trainers import trainer_create, trainer_partner_change
from onetouch.admin import ReadOnlyAdmin
from onetouch.models import User


class TrainerAdminForm(forms.ModelForm):
    """Accounts with the partner trainer role only; the service's refusals show on their field."""

    class Meta:
        model = Trainer
        fields = ["user", "partner"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True
        else:
            self.fields["user"].queryset = User.objects.filter(role=User.Role.PARTNER_TRAINER, trainer__isnull=True)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            # The services run inside the admin's transaction: a refusal here undoes nothing else.
            if self.instance.pk:
                self.instance = trainer_partner_change(trainer=self.instance, partner=data["partner"])
            else:
                self.instance = trainer_create(user=data["user"], partner=data["partner"])
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(Trainer)
class TrainerAdmin(admin.ModelAdmin):
    form = TrainerAdminForm
    list_display = ["user", "partner", "created_at"]
    list_filter = ["partner"]
    list_select_related = ["user", "partner"]
    search_fields = ["user__full_name", "user__email", "partner__name"]

    def save_model(self, request, obj, form, change) -> None:
        """The form's clean() already saved through the service."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DayChangeInline(admin.TabularInline):
    model = DayChange
    fields = ["at", "kind", "by", "previous_values", "reason", "tells_learners"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InPersonDay)
class InPersonDayAdmin(ReadOnlyAdmin):
    """Days as the studio scheduled them, with their history; changed in the studio only."""

    list_display = ["course_run", "province", "venue_name", "starts_at", "capacity", "cancelled_at"]
    list_filter = ["province", ("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["course_run", "province"]
    search_fields = ["course_run__title", "course_run__course__title", "venue_name"]
    inlines = [DayChangeInline]


@admin.register(DaySeat)
class DaySeatAdmin(ReadOnlyAdmin):
    list_display = ["day", "learner", "status", "asked_at", "promoted_at", "cancelled_at"]
    list_filter = ["status"]
    list_select_related = ["day__course_run", "learner"]
    search_fields = ["learner__email", "learner__full_name"]


@admin.register(DayNotice)
class DayNoticeAdmin(ReadOnlyAdmin):
    """The messages owed to learners and whether they went out: one left unsent after its last attempt shows here."""

    list_display = ["day", "learner", "kind", "channel", "created_at", "sent_at", "attempts"]
    list_filter = ["kind", "channel", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["day__course_run", "learner"]
    search_fields = ["learner__email", "learner__full_name", "learner__phone"]


class AttendanceCorrectionInline(admin.TabularInline):
    model = AttendanceCorrection
    fields = ["at", "present_before", "present_after", "reason", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """Attendance as check-in, ticking and corrections wrote it; corrected in the studio only (with a reason)."""

    list_display = ["day", "learner", "present", "method", "checked_in_at", "checked_in_by", "completion_recorded_at"]
    list_filter = ["present", "method"]
    list_select_related = ["day__course_run", "learner", "checked_in_by"]
    search_fields = ["learner__email", "learner__full_name"]
    inlines = [AttendanceCorrectionInline]
