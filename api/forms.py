"""The studio's form for a new API key: a provincial admin names it and its validity; ministry staff
also choose its kind and its province or partner organisation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiKey
from courses.models import Partner
from onetouch import scope
from onetouch.models import Province, User

VALIDITY_CHOICES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("One year")),
    (730, _("Two years")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. “Provincial HR system”."),
    )
    valid_days = forms.TypedChoiceField(label=_("Valid for"), choices=VALIDITY_CHOICES, coerce=int, initial=365)
    kind = forms.ChoiceField(label=_("Kind"), choices=ApiKey.Kind.choices, initial=ApiKey.Kind.PROVINCE)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all(), required=False)
    partner = forms.ModelChoiceField(label=_("Partner organisation"), queryset=Partner.objects.all(), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not scope.has_national_scope(user):
            # A provincial admin's keys are their province's: nothing to choose.
            for name in ("kind", "province", "partner"):
                del self.fields[name]

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind", ApiKey.Kind.PROVINCE)
        if kind == ApiKey.Kind.PROVINCE and "province" in self.fields and not data.get("province"):
            self.add_error("province", _("Choose the province of this key."))
        if kind == ApiKey.Kind.PARTNER and not data.get("partner"):
            self.add_error("partner", _("Choose the partner organisation of this key."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        if "kind" not in self.fields:
            return {
                "name": data["name"],
                "valid_days": data["valid_days"],
                "kind": ApiKey.Kind.PROVINCE,
                "province": self.user.scope_province,
            }
        return {
            "name": data["name"],
            "valid_days": data["valid_days"],
            "kind": data["kind"],
            "province": data.get("province"),
            "partner": data.get("partner"),
        }
