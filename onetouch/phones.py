"""Vietnamese mobile numbers: parsing to the E.164 form we store ("+84912345678")."""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_MOBILE = _("Enter a valid Vietnamese mobile number, for example 0912 345 678.")


def mobile_number_normalize(raw: str) -> str:
    """Return the number in E.164 form, or raise ValidationError if it is not a VN mobile."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(INVALID_MOBILE, code="invalid_phone") from error
    is_mobile = phonenumbers.number_type(number) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if number.country_code != 84 or not phonenumbers.is_valid_number(number) or not is_mobile:
        raise ValidationError(INVALID_MOBILE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
