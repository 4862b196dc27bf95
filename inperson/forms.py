"""The studio's form of an in-person day and of its cancellation."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from inperson.models import InPersonDay
from inperson.selectors.days import partner_list, trainer_list
from onetouch.models import Commune, Province

# Where a service's refusal of a field shows on this form.
SERVICE_FIELDS = {
    "starts_at": "date",
    "ends_at": "ends_time",
    "venue_commune": "commune",
}


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, trainer) -> str:
        return f"{trainer.user} · {trainer.partner.name}"


class DayForm(forms.Form):
    """Date, hours, venue, capacity, partners and trainers of a run's day.

    The province is asked only for a national course; a provincial course's day is held in its own
    province. The commune list follows the province (static/js/commune-select.js, or the
    "Show the communes of this province" button without JavaScript).
    """

    province = forms.ModelChoiceField(
        label=_("Province where the day is held"),
        queryset=Province.objects.all(),
        to_field_name="code",
        empty_label=_("Choose the province"),
    )
    venue_name = forms.CharField(label=_("Venue"), max_length=200, help_text=_("For example: the commune hall."))
    venue_address = forms.CharField(label=_("Venue address"), max_length=300)
    commune = forms.ModelChoiceField(
        label=_("Commune or ward of the venue"),
        queryset=Commune.objects.none(),
        to_field_name="code",
        empty_label=_("Choose the commune"),
        error_messages={"invalid_choice": _("This commune is not in the province of the day.")},
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, help_text=_("The number of seats."))
    cancellation_deadline = forms.DateTimeField(
        label=_("Cancellation deadline"),
        help_text=_("Learners may cancel their seat until this moment; it is at the latest the start of the day."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=partner_list(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trainers = TrainerChoiceField(
        label=_("Trainers"),
        queryset=trainer_list(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each trainer's organisation must be among the day's partners."),
    )
    reason = forms.CharField(
        label=_("What changed and why"),
        max_length=500,
        required=False,
        help_text=_("Learners signed up are told of a new date or venue, with this text."),
    )

    def __init__(self, *args, course: Course, day: InPersonDay | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.course = course
        if course.owner_province_id is not None:
            del self.fields["province"]
            province_code = course.owner_province.code
        elif self.is_bound:
            province_code = str(self.data.get(self.add_prefix("province"), ""))[:2]
        else:
            province_code = self.initial["province"].code if self.initial.get("province") else ""
        if province_code:
            self.fields["commune"].queryset = Commune.objects.filter(province__code=province_code).order_by("name")
        if day is None:
            del self.fields["reason"]

    @staticmethod
    def initial_for(day: InPersonDay) -> dict:
        starts_at, ends_at = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
        return {
            "province": day.province,
            "venue_name": day.venue_name,
            "venue_address": day.venue_address,
            "commune": day.venue_commune,
            "date": starts_at.date(),
            "starts_time": starts_at.time(),
            "ends_time": ends_at.time(),
            "capacity": day.capacity,
            "cancellation_deadline": timezone.localtime(day.cancellation_deadline),
            "partners": list(day.partners.all()),
            "trainers": list(day.trainers.all()),
        }

    def clean_commune(self) -> Commune:
        if self.data.get("choose_province"):
            raise forms.ValidationError(_("Now choose the commune in the list."))
        return self.cleaned_data["commune"]

    def service_fields(self) -> dict:
        """Return the service's keyword arguments: the date and hours become moments in Vietnam."""
        data = self.cleaned_data
        zone = timezone.get_default_timezone()
        fields = {
            "province": data.get("province", self.course.owner_province),
            "venue_name": data["venue_name"],
            "venue_address": data["venue_address"],
            "venue_commune": data["commune"],
            "starts_at": dt.datetime.combine(data["date"], data["starts_time"], tzinfo=zone),
            "ends_at": dt.datetime.combine(data["date"], data["ends_time"], tzinfo=zone),
            "capacity": data["capacity"],
            "cancellation_deadline": data["cancellation_deadline"],
            "partners": data["partners"],
            "trainers": data["trainers"],
        }
        if "reason" in self.fields:
            fields["reason"] = data["reason"]
        return fields


class DayCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone signed up is told that the day is cancelled, with this reason."),
    )


# --- Check-in and attendance (docs/decisions/0018) -------------------------------------------------


class CheckInCodeForm(forms.Form):
    """A code typed by the trainer from the learner's screen or printed page."""

    code = forms.CharField(
        label=_("Learner's code"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autocapitalize": "off"}),
    )


class LearnerPickForm(forms.Form):
    """One learner of a roster, by id (the roster lists them; the service checks they belong)."""

    learner = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AttendanceCorrectForm(LearnerPickForm):
    """An admin's correction after the fact: present or absent, and why."""

    present = forms.TypedChoiceField(
        label=_("Attendance"),
        choices=[("1", _("Present")), ("0", _("Absent"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput)


class CheckInScan(forms.Form):
    """One scan of the trainer's queue (JSON): its id, the code, when the phone saw it, how it was read."""

    scan_id = forms.UUIDField()
    code = forms.CharField(max_length=32)
    scanned_at = forms.DateTimeField()
    method = forms.ChoiceField(choices=[("scanned", "scanned"), ("typed", "typed")], required=False)

    def clean_scanned_at(self) -> dt.datetime:
        scanned_at = self.cleaned_data["scanned_at"]
        if timezone.is_naive(scanned_at):
            raise forms.ValidationError(_("The scan's time must carry its time zone."))
        return scanned_at
