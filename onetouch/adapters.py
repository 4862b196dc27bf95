"""django-allauth hooks: Vietnamese mobile numbers as a second login, mail sent by a worker in the
platform's name, failed sign-ins counted so that nobody can lock an owner out (onetouch.throttles),
and sign-in through an OpenID Connect provider linked only by what the provider verified."""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.base.constants import AuthError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onetouch.forms import MobileNumberField
from onetouch.jobs import task_queue_on_commit
from onetouch.models import User
from onetouch.pure.phones import mobile_number_normalize
from onetouch.sms import sms_send
from onetouch.throttles import client_address, known_device_remember, sign_in_attempt_consume

logger = logging.getLogger(__name__)

PLATFORM_NAME = "OneTouch"


@dataclass(frozen=True)
class EmailSite:
    """What allauth's email templates read as current_site: the platform, never the request's host."""

    name: str
    domain: str


def email_context(context: dict) -> dict:
    """Return an email's context with the platform, its public address and its issuer filled in.

    allauth would name the site after the host the request came in by ("127.0.0.1:8102"); a mail
    that teaches people to trust it must name the platform and the ministry behind it instead.
    """
    links = {key: on_public_address(value) for key, value in context.items() if key.endswith("_url") and value}
    platform = {
        "current_site": EmailSite(name=PLATFORM_NAME, domain=urlsplit(settings.SITE_URL).netloc),
        "platform_name": PLATFORM_NAME,
        "issuer_name": settings.CERTIFICATE_NATIONAL_ISSUER,
        "site_url": settings.SITE_URL,
    }
    return context | links | platform


def on_public_address(url: str) -> str:
    """Return the link with the platform's public scheme and host (SITE_URL) in place of the request's.

    allauth builds an email's links from the host the request came in by: a proxy's internal name,
    or whatever Host header a visitor sent among the allowed ones. A link in an email must lead to
    the address the platform is known by.
    """
    link, public = urlsplit(str(url)), urlsplit(settings.SITE_URL)
    return urlunsplit((public.scheme, public.netloc, link.path, link.query, link.fragment))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = DefaultAccountAdapter.error_messages | {
        "too_many_login_attempts": gettext_lazy(
            "Signing in to this account from here is paused for a few minutes: too many wrong passwords were tried."
        ),
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's own rate limits count per the same address as ours.
        return client_address(request)

    def authenticate(self, request: HttpRequest, **credentials) -> User | None:
        usage = sign_in_attempt_consume(request, login=self.login_of(credentials))
        if usage is None:
            raise self.validation_error("too_many_login_attempts")
        user = super().authenticate(request, **credentials)
        if user is not None:
            # The right password is not a guess: it leaves nothing in the counts.
            usage.rollback()
        return user

    def login_of(self, credentials: dict) -> str:
        """Return the account a sign-in is for, written one way (email lowercased, phone normalised)."""
        login = credentials.get("email") or credentials.get("username")
        if login:
            return login.strip().lower()
        try:
            return mobile_number_normalize(credentials.get("phone", ""))
        except ValidationError:
            return credentials.get("phone", "")

    def post_login(self, request: HttpRequest, user: User, **kwargs) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        known_device_remember(request, response, [login for login in ((user.email or "").lower(), user.phone) if login])
        return response

    def phone_form_field(self, **kwargs) -> MobileNumberField:
        return MobileNumberField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return mobile_number_normalize(phone)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str) -> User | None:
        try:
            normalized = mobile_number_normalize(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=normalized).first()

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs) -> None:
        # Through the gateway SMS_BACKEND chooses (onetouch.sms): the log by default.
        sms_send(phone=phone, message=_("Your OneTouch verification code is %(code)s") % {"code": code})

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, email_context(context))
        payload = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "html": next((c for c, kind in getattr(message, "alternatives", []) if kind == "text/html"), None),
        }
        # A slow mail server must not hold up the page; the worker sends it after the commit.
        task_queue_on_commit("onetouch.tasks.email_send", **payload)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the OpenID Connect provider (onetouch.oidc, docs/decisions/0033).

    An existing account is entered only by what the provider verified: its email (allauth's
    SOCIALACCOUNT_EMAIL_AUTHENTICATION, with email_verified read strictly by onetouch.oidc) or, here,
    its mobile number when the provider verified it and the account had verified it too. Anything
    else goes to the sign-up form, where the provider's email and number are only suggestions.
    """

    error_messages = DefaultSocialAccountAdapter.error_messages | {
        # allauth's asks to "connect" the accounts, which this platform does only by a verified address.
        "email_taken": gettext_lazy(
            "An account with this email already exists, and %s did not confirm that this email is yours. Sign in"
            " to that account with its password, or give another email."
        ),
    }

    def list_apps(self, request: HttpRequest | None, provider=None, client_id=None) -> list:
        # The provider comes from the environment only (OIDC_* in onetouch/settings/base.py): allauth
        # would also read apps from its table, one query on every sign-in page, and a row there
        # would sign people in with settings nobody reviews. (A private helper of allauth, pinned.)
        by_provider = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for apps in by_provider.values() for app in apps]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            # An existing account keeps its own mobile number: when allauth links the identity
            # (SocialLogin.save) it would write the provider's number over it, changing the number
            # its owner signs in with, or failing on a number another account has.
            sociallogin.phone, sociallogin.phone_verified = None, False
            return
        if not (sociallogin.phone and sociallogin.phone_verified):
            return
        owner = User.objects.filter(phone=sociallogin.phone, phone_verified=True).first()
        if owner is not None:
            # Both sides proved the number by a code: the same person. Linked for good, so that the
            # next sign-in finds the account by the provider's subject even if the number changes.
            sociallogin.connect(request, owner)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        # A Vietnamese name is written family name first.
        name = data.get("name") or " ".join(part for part in (data.get("last_name"), data.get("first_name")) if part)
        user.full_name = name[:150]
        return user

    def get_signup_form_initial_data(self, sociallogin: SocialLogin) -> dict:
        return super().get_signup_form_initial_data(sociallogin) | {
            "full_name": sociallogin.user.full_name,
            "phone": sociallogin.phone or "",
        }

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None) -> User:
        """Create the account from the sign-up form: what the person typed, verified only where it is
        exactly what the provider verified. The profile is saved by the form (ProfileSignupForm.signup)."""
        data = form.cleaned_data
        user = sociallogin.user
        user.set_unusable_password()
        user.email = data.get("email") or None
        phone = data.get("phone") or None
        user.phone = phone
        user.phone_verified = bool(phone and phone == sociallogin.phone and sociallogin.phone_verified)
        # sociallogin.save() stores these: keep them equal to the account's, and record no other
        # address of the provider's (a mistyped or someone else's email must not stick to this account).
        sociallogin.phone, sociallogin.phone_verified = user.phone, user.phone_verified
        sociallogin.email_addresses = [
            address
            for address in sociallogin.email_addresses
            if user.email and address.email.lower() == user.email.lower()
        ]
        sociallogin.save(request)
        return user

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        if error == AuthError.CANCELLED:
            return  # allauth shows the "sign-in cancelled" page
        # A wrong state or nonce, a provider's error: refused, nobody signed in, nothing written.
        logger.warning("Sign-in through %s refused: %s %s", provider.id, error, exception)
        response = render(request, "socialaccount/authentication_error.html", {"provider": provider}, status=403)
        raise ImmediateHttpResponse(response)
