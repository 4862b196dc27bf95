from allauth.account.adapter import get_adapter as get_account_adapter
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learners.selectors.enrolments import commune_list_for_province
from learners.services.enrolments import profile_save
from onetouch.models import AudienceGroup, Commune, Province, User

REFRESH_COMMUNES = "choose_province"


class ProfileFieldsMixin(forms.Form):
    """Audience group, province and a commune of that province.

    The commune list follows the chosen province: a small script refills it in the browser, and
    without JavaScript the "Show the communes of this province" button posts the form back with the list filled in.
    """

    audience_group = forms.ChoiceField(label=_("I am"), choices=[("", _("Choose your group"))] + AudienceGroup.choices)
    province = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=Province.objects.all(),
        to_field_name="code",
        empty_label=_("Choose your province"),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune or ward"),
        queryset=Commune.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose your commune"),
        error_messages={"invalid_choice": _("This commune is not in the chosen province.")},
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        province_code = self.data.get(self.add_prefix("province")) if self.is_bound else None
        if not province_code and self.initial.get("province") is not None:
            initial = self.initial["province"]
            province_code = initial.code if isinstance(initial, Province) else initial
        if province_code:
            self.fields["commune"].queryset = commune_list_for_province(province_code=str(province_code)[:2])

    def clean_commune(self) -> Commune | None:
        commune = self.cleaned_data.get("commune")
        if self.data.get(REFRESH_COMMUNES):
            raise ValidationError(_("Now choose your commune in the list."))
        if commune is None:
            raise ValidationError(_("Choose your commune."))
        return commune

    def profile_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "audience_group": data["audience_group"],
            "province": data["province"],
            "commune": data["commune"],
            "organisation": data["organisation"],
            "position": data["position"],
        }


class ProfileSignupForm(ProfileFieldsMixin):
    """The extra fields of django-allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)

    field_order = ["email", "phone", "full_name", "password1", "password2", "audience_group", "province", "commune"]

    def clean(self) -> dict:
        cleaned_data = super().clean()
        # The mobile app's sign-up (allauth's headless SignupInput, built on this form) has one
        # `password`, which allauth checks without the account being made; the page's form checks it
        # against a draft account with the email (SignupForm.clean). The same check here, so that a
        # password like the email is refused in the app as on the page (docs/decisions/0037).
        password = cleaned_data.get("password") if "password" in self.fields else None
        if password:
            try:
                get_account_adapter().clean_password(password, user=User(email=cleaned_data.get("email")))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned_data

    def signup(self, request, user) -> None:
        profile_save(user=user, full_name=self.cleaned_data["full_name"], **self.profile_fields())


class ProfileForm(ProfileFieldsMixin):
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    field_order = ["full_name", "audience_group", "province", "commune", "organisation", "position"]
