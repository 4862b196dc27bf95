"""Form fields of the shared core, used by the sign-up and sign-in pages of every app."""

from django import forms
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
