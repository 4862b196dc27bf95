"""Vietnamese mobile numbers: parsing to the E.164 form we store ("+84912345678")."""

import phonenumbers
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
