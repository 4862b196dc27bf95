"""Setting a password from an invitation (link or SMS code) and resetting one by SMS code.

Each page binds its form and calls one service of onetouch.services.invitations; the refusals are the
services' translated ValidationErrors. On success the owner is signed in and sent to My learning.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from onetouch.forms import AccountCodeForm, PasswordSetForm, PhoneResetRequestForm
from onetouch.models import Invitation, User
from onetouch.services.invitations import (
    REFUSALS,
    account_code_redeem,
    invitation_accept_by_link,
    invitation_by_link,
    password_reset_code_request,
)
from onetouch.throttles import consume

BACKEND = "onetouch.sessions.AuthenticationBackend"
# Where an owner lands once their password is set: their courses.
MY_LEARNING = "learners:my_learning"
RESET_PHONE_KEY = "onetouch.password_reset_phone"


def refusal_or_password_error(form: PasswordSetForm, error: ValidationError) -> None:
    """Show a service's refusal above the form, a password validator's under the password."""
    if getattr(error, "code", None) in REFUSALS:
        form.add_error(None, error)
    else:
        form.add_error("new_password1", error)


def signed_in(request: HttpRequest, user: User, message: str) -> HttpResponse:
    login(request, user, backend=BACKEND)
    messages.success(request, message)
    return redirect(MY_LEARNING)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """/accounts/invitation/<token>/: the email link; the owner sets a password and is signed in."""
    try:
        invitation = invitation_by_link(token=token)
    except ValidationError as error:
        status = 404 if error.code == "unknown" else 410
        return render(request, "onetouch/invitation_refused.html", {"error": error.message}, status=status)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept_by_link(token=token, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            refusal_or_password_error(form, error)
        else:
            return signed_in(request, user, _("Your password is set. Welcome to OneTouch!"))
    context = {"form": form, "account": invitation.user, "purpose": Invitation.Purpose.INVITATION}
    return render(request, "onetouch/password_set.html", context)


@never_cache
@sensitive_post_parameters("code", "new_password1", "new_password2")
def invitation_code(request: HttpRequest) -> HttpResponse:
    """/accounts/invitation/code/: a phone-only owner types the number, the SMS code and a password."""
    return code_page(request, purpose=Invitation.Purpose.INVITATION)


@never_cache
@sensitive_post_parameters("code", "new_password1", "new_password2")
def password_reset_phone_code(request: HttpRequest) -> HttpResponse:
    """/accounts/password/reset/phone/code/: the reset code sent by SMS and a new password."""
    return code_page(request, purpose=Invitation.Purpose.PASSWORD_RESET)


def code_page(request: HttpRequest, *, purpose: str) -> HttpResponse:
    # The number typed on the request page, kept in the session rather than the address (access logs).
    form = AccountCodeForm(request.POST or None, initial={"phone": request.session.get(RESET_PHONE_KEY, "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        # Wrong codes from one address are limited whatever the numbers (each code also locks itself).
        usage = consume(request, "account_code_wrong")
        if usage is None:
            form.add_error(None, _("Too many wrong codes were typed from here. Wait a while before trying again."))
            status = 429
        else:
            try:
                user = account_code_redeem(
                    phone=form.cleaned_data["phone"],
                    code=form.cleaned_data["code"],
                    purpose=purpose,
                    password=form.cleaned_data["new_password1"],
                )
            except ValidationError as error:
                if getattr(error, "code", None) not in ("wrong_code", "locked"):
                    usage.rollback()
                refusal_or_password_error(form, error)
            else:
                usage.rollback()
                return signed_in(request, user, _("Your password is set. Welcome to OneTouch!"))
    context = {"form": form, "purpose": purpose}
    return render(request, "onetouch/password_set.html", context, status=status)


@never_cache
def password_reset_phone(request: HttpRequest) -> HttpResponse:
    """/accounts/password/reset/phone/: ask for a reset code by SMS.

    The answer is the same whether the number has an account or not.
    """
    form = PhoneResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if consume(request, "password_reset_by_phone", key=phone) is None:
            form.add_error(
                None, _("A code was asked for this number a moment ago. Wait a few minutes before asking again.")
            )
            return render(request, "onetouch/password_reset_phone.html", {"form": form}, status=429)
        password_reset_code_request(phone=phone)
        request.session[RESET_PHONE_KEY] = phone
        messages.info(
            request,
            _("If an account has this mobile number, a code was sent to it by SMS. Type it below with a new password."),
        )
        return redirect("password_reset_phone_code")
    return render(request, "onetouch/password_reset_phone.html", {"form": form})
