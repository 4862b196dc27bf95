"""Form fields of the shared core, used by the sign-up and sign-in pages of every app."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from onetouch.pure.phones import mobile_number_normalize


class MobileNumberField(forms.CharField):
    """A form field that accepts the ways people write a VN mobile number and cleans to E.164."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return mobile_number_normalize(value) if value else value


class PasswordSetForm(forms.Form):
    """A new password typed twice; the service checks it against the account with AUTH_PASSWORD_VALIDATORS."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy, so the rules are listed in the language of the request, not of the start.
        help_text=lazy(password_validators_help_text_html, SafeString)(),
    )
    new_password2 = forms.CharField(
        label=_("New password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords are not the same."))
        return cleaned


class AccountCodeForm(PasswordSetForm):
    """The mobile number, the code it received by SMS and the new password (invitations, resets)."""

    phone = MobileNumberField()
    code = forms.RegexField(
        label=_("Code received by SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code is the 6 digits of the SMS.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )

    field_order = ["phone", "code", "new_password1", "new_password2"]


class PhoneResetRequestForm(forms.Form):
    """The mobile number a password reset code is sent to."""

    phone = MobileNumberField()
