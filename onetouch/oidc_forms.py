"""The form of a first sign-in through the OpenID Connect provider (SOCIALACCOUNT_FORMS["signup"]).

allauth's social sign-up form is built on ACCOUNT_SIGNUP_FORM_CLASS, so it asks the same profile
questions as the sign-up page (learners.forms.ProfileSignupForm: full name, audience group, province,
commune), validated and saved the same way. This adds only what differs: the email is optional,
since a citizen's national identity may carry none, but the account needs an email or a mobile number.
"""

from allauth.socialaccount.forms import SignupForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class OIDCSignupForm(SignupForm):
    field_order = ["full_name", "email", "phone", "audience_group", "province", "commune"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs["email_required"] = False
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            not cleaned.get("email")
            and not cleaned.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            raise ValidationError(_("Give an email address or a mobile number: you will sign in with it."))
        return cleaned
