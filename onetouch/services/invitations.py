"""Invitations to set a password, and password resets by SMS code (docs/decisions/0020).

An account created from a roster is inactive (it cannot sign in) until its owner sets a password:
- with an email address, through a link (`/accounts/invitation/<token>/`), single use, valid
  INVITATION_VALID_DAYS after it was sent;
- with only a phone, through a six-digit code sent by SMS, typed with the phone number on
  `/accounts/invitation/code/`; ACCOUNT_CODE_MAX_ATTEMPTS wrong codes lock it.
Setting the password activates the account and verifies the address the message reached.

A phone-only account resets a forgotten password the same way (django-allauth resets by email
only): the number on `/accounts/password/reset/phone/`, then the code by SMS; whether the number
has an account is never shown.

Sending: `invitation_create` queues `onetouch.tasks.invitation_send` after the commit (a roster's
batch queues `invitation_send_in_bulk`, the same on the bulk mail queue, docs/decisions/0027); the task
makes the secret, stores its hash and sends the message in one transaction under the row's lock
(`SELECT … FOR UPDATE SKIP LOCKED`) with `sent_at`, so a redelivered task or two workers at once
send it once (as inperson.services.notices does). A message that fails rolls back, and the task
retries. The secret exists in clear only in the message: the row keeps a keyed hash.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from onetouch.jobs import task_queue_on_commit
from onetouch.models import Invitation, User
from onetouch.sms import SmsNotSent, sms_send

CODE_DIGITS = 6
# The periodic sweep sends an invitation still unsent this long after its creation (its task was lost).
UNSENT_AFTER = dt.timedelta(minutes=5)
MAX_SEND_ATTEMPTS = 5

logger = logging.getLogger(__name__)

# The translated refusals, by code, for the pages and the tests.
REFUSALS = {
    "unknown": _("This invitation link is not valid. Check that you opened the whole link from the message."),
    "used": _("This invitation was already used: your password is set. Sign in with it, or reset it if you forgot it."),
    "expired": _("This invitation has expired. Ask your province's administrator to invite you again."),
    "replaced": _("A newer invitation was sent to you: use the link or code in the latest message."),
    "wrong_code": _("The mobile number or the code is not right. Check both and try again."),
    "locked": _("Too many wrong codes were typed: this code no longer works. Ask for a new one."),
    "code_used": _("This code was already used. Sign in with your password, or ask for a new code."),
    "code_expired": _("This code has expired. Ask for a new one."),
    "no_channel": _("This account has neither an email address nor a mobile number to send an invitation to."),
    "has_password": _("This account already has a password: its owner signs in, or resets it if forgotten."),
}


def refusal(code: str) -> ValidationError:
    return ValidationError(REFUSALS[code], code=code)


# --- Creating -------------------------------------------------------------------------------------


@transaction.atomic
def invited_user_create(*, full_name: str, email: str = "", phone: str = "") -> User:
    """Create an account that cannot sign in until its owner accepts an invitation (no password yet).

    `email` may be blank for a phone-only learner; `phone` is already normalised (+84…).
    """
    user = User(
        email=User.objects.normalize_email(email).lower() or None,
        phone=phone or None,
        full_name=full_name,
        is_active=False,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def invitation_create(*, user: User, by: User | None) -> Invitation:
    """Invite the account's owner to set a password, by email if it has one, else by SMS.

    Older invitations not yet used are revoked: only the latest message works. The message is sent by
    a worker after the commit.
    """
    if user.is_active and user.has_usable_password():
        # An existing account matched by a roster keeps its password; only new accounts are invited.
        raise refusal("has_password")
    channel = invitation_channel(user)
    revoke_open(user=user, purpose=Invitation.Purpose.INVITATION)
    invitation = Invitation(user=user, invited_by=by, purpose=Invitation.Purpose.INVITATION, channel=channel)
    invitation.full_clean()
    invitation.save()
    task_queue_on_commit("onetouch.tasks.invitation_send", invitation.id)
    return invitation


def invitations_create_for_new_accounts(*, users: list[User], by: User | None) -> list[Invitation]:
    """Invite the owners of accounts just created (a roster's batch): one insert for all, one send task each.

    New accounts have no invitation to revoke and no password; the messages go out after the commit.
    """
    invitations = Invitation.objects.bulk_create(
        Invitation(user=user, invited_by=by, purpose=Invitation.Purpose.INVITATION, channel=invitation_channel(user))
        for user in users
    )
    for invitation in invitations:
        # Thousands at once: on the bulk mail queue, not ahead of someone waiting for a reset code.
        task_queue_on_commit("onetouch.tasks.invitation_send_in_bulk", invitation.id)
    return invitations


def invitation_channel(user: User) -> str:
    if user.email:
        return Invitation.Channel.EMAIL
    if user.phone:
        return Invitation.Channel.SMS
    raise refusal("no_channel")


def revoke_open(*, user: User, purpose: str, now: dt.datetime | None = None) -> None:
    """Revoke the user's invitations of this purpose that were neither used nor revoked yet."""
    Invitation.objects.filter(user=user, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


@transaction.atomic
def password_reset_code_request(*, phone: str) -> None:
    """Queue a reset code by SMS to the account with this (normalised) number; nothing if none.

    The account is active, or invited and still waiting for its first password (an official whose
    invitation code was lost, expired or locked asks for a new one here). An account switched off in
    the back office keeps its password and gets nothing. The caller shows the same answer either
    way, so the page never tells whether a number has an account.
    """
    user = User.objects.filter(phone=phone).first()
    if user is None or not (user.is_active or awaiting_first_password(user)):
        return
    revoke_open(user=user, purpose=Invitation.Purpose.PASSWORD_RESET)
    reset = Invitation.objects.create(user=user, purpose=Invitation.Purpose.PASSWORD_RESET, channel="sms")
    task_queue_on_commit("onetouch.tasks.invitation_send", reset.id)


def awaiting_first_password(user: User) -> bool:
    """Invited from a roster and never set a password (an invitation accepted sets one)."""
    invited = user.invitations.filter(purpose=Invitation.Purpose.INVITATION).exists()
    return not user.has_usable_password() and invited


# --- Sending --------------------------------------------------------------------------------------


def invitation_send(*, invitation_id: int, now: dt.datetime | None = None) -> bool:
    """Send the invitation's message unless it was sent, revoked or used; return whether it went out.

    The row is locked (skipped if another worker holds it) and marked sent in the transaction that
    sends, so a second run finds it sent. A message that fails raises (SmsNotSent, OSError): the
    transaction rolls back, the invitation stays unsent and the task retries it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(id=invitation_id, sent_at__isnull=True, revoked_at__isnull=True, used_at__isnull=True)
            .select_related("user")
            .first()
        )
        if invitation is None:
            return False
        if invitation.channel == Invitation.Channel.EMAIL:
            secret = secrets.token_urlsafe(32)
            invitation.secret_hash = link_token_hash(secret)
        else:
            secret = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
            invitation.secret_hash = code_hash(invitation, secret)
        invitation.sent_at = now
        invitation.expires_at = now + valid_for(invitation)
        invitation.send_attempts += 1
        invitation.save(update_fields=["secret_hash", "sent_at", "expires_at", "send_attempts"])
        message_send(invitation, secret)
    return True


def invitations_unsent_send(*, now: dt.datetime | None = None) -> int:
    """Send the invitations whose task was lost (the broker was down at their creation); return how many went out.

    Only those older than UNSENT_AFTER, so the task queued at creation has had its turn; each failure is
    counted, and an invitation that failed MAX_SEND_ATTEMPTS times is left unsent (and logged).
    """
    now = now or timezone.now()
    unsent = Invitation.objects.filter(
        sent_at__isnull=True,
        revoked_at__isnull=True,
        used_at__isnull=True,
        created_at__lt=now - UNSENT_AFTER,
        send_attempts__lt=MAX_SEND_ATTEMPTS,
    ).order_by("created_at", "id")
    sent = 0
    for invitation_id in unsent.values_list("id", flat=True):
        try:
            sent += invitation_send(invitation_id=invitation_id, now=now)
        except (SmsNotSent, OSError):
            logger.exception("Invitation %s not sent; it will be tried again.", invitation_id)
            Invitation.objects.filter(id=invitation_id).update(send_attempts=F("send_attempts") + 1)
    return sent


def valid_for(invitation: Invitation) -> dt.timedelta:
    if invitation.purpose == Invitation.Purpose.PASSWORD_RESET:
        return dt.timedelta(minutes=settings.PASSWORD_RESET_CODE_VALID_MINUTES)
    return dt.timedelta(days=settings.INVITATION_VALID_DAYS)


def link_token_hash(token: str) -> str:
    """The link's token holds 256 random bits: a plain SHA-256 is enough, and lets the row be found by it."""
    return hashlib.sha256(token.encode()).hexdigest()


def code_hash(invitation: Invitation, code: str) -> str:
    """Six digits are a million guesses: the hash is keyed (SECRET_KEY) so a copy of the table reveals none."""
    return salted_hmac("onetouch.invitations.code", f"{invitation.id}:{code}").hexdigest()[:64]


def message_send(invitation: Invitation, secret: str) -> None:
    """Send the link by email or the code by SMS, in Vietnamese (the site's language)."""
    context = {
        "user": invitation.user,
        "name": invitation.user.full_name,
        "secret": secret,
        "days": settings.INVITATION_VALID_DAYS,
        "minutes": settings.PASSWORD_RESET_CODE_VALID_MINUTES,
        "site_url": settings.SITE_URL,
        "platform_name": "OneTouch",
        "issuer_name": settings.CERTIFICATE_NATIONAL_ISSUER,
    }
    with translation.override(settings.LANGUAGE_CODE):
        if invitation.channel == Invitation.Channel.EMAIL:
            context["link"] = settings.SITE_URL + reverse("invitation_link", args=[secret])
            subject = " ".join(render_to_string("onetouch/email/invitation_subject.txt", context).split())
            EmailMessage(
                subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
                body=render_to_string("onetouch/email/invitation_message.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[invitation.user.email],
            ).send()
            return
        template = "invitation" if invitation.purpose == Invitation.Purpose.INVITATION else "password_reset"
        context["page"] = settings.SITE_URL + reverse(
            "invitation_code" if template == "invitation" else "password_reset_phone_code"
        )
        text = " ".join(render_to_string(f"onetouch/sms/{template}.txt", context).split())
    sms_send(phone=invitation.user.phone, message=text)


# --- Accepting ------------------------------------------------------------------------------------


def invitation_by_link(*, token: str, now: dt.datetime | None = None) -> Invitation:
    """Return the email invitation of this link if it may still be used; else raise its refusal."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.filter(
            secret_hash=link_token_hash(token),
            channel=Invitation.Channel.EMAIL,
            purpose=Invitation.Purpose.INVITATION,
        )
        .select_related("user")
        .first()
    )
    if invitation is None:
        raise refusal("unknown")
    if problem := link_problem(invitation, now=now):
        raise refusal(problem)
    return invitation


def link_problem(invitation: Invitation, *, now: dt.datetime) -> str | None:
    if invitation.used_at:
        return "used"
    if invitation.revoked_at:
        return "replaced"
    if invitation.expires_at is None or invitation.expires_at <= now:
        return "expired"
    return None


@transaction.atomic
def invitation_accept_by_link(*, token: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the password through the email link: the account is activated and its address verified."""
    now = now or timezone.now()
    found = invitation_by_link(token=token, now=now)
    # Locked and checked again: of two submissions at once, the second finds it used.
    invitation = Invitation.objects.select_for_update().select_related("user").get(id=found.id)
    if problem := link_problem(invitation, now=now):
        raise refusal(problem)
    return accept(invitation, password=password, now=now)


def account_code_redeem(*, phone: str, code: str, purpose: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the password of the account of `phone` with the code sent to it by SMS.

    Raise a ValidationError with code "wrong_code" (also for a number with no code: nothing tells
    whether a number has an account), "locked", "code_used", "code_expired", or the password's own.
    A wrong code is counted even though the refusal is raised (the count is committed first).
    """
    now = now or timezone.now()
    problem = None
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(user__phone=phone, purpose=purpose, channel=Invitation.Channel.SMS, sent_at__isnull=False)
            .exclude(revoked_at__isnull=False, used_at__isnull=True)
            .select_related("user")
            .order_by("-sent_at", "-id")
            .first()
        )
        if invitation is None:
            problem = "wrong_code"
        elif invitation.wrong_codes >= settings.ACCOUNT_CODE_MAX_ATTEMPTS:
            problem = "locked"
        elif not hmac.compare_digest(invitation.secret_hash, code_hash(invitation, code.strip())):
            invitation.wrong_codes += 1
            invitation.save(update_fields=["wrong_codes"])
            locked_now = invitation.wrong_codes >= settings.ACCOUNT_CODE_MAX_ATTEMPTS
            problem = "locked" if locked_now else "wrong_code"
        # Only the code's holder learns that it was used or has expired.
        elif invitation.used_at:
            problem = "code_used"
        elif invitation.expires_at <= now:
            problem = "code_expired"
        else:
            return accept(invitation, password=password, now=now)
    raise refusal(problem)


def accept(invitation: Invitation, *, password: str, now: dt.datetime) -> User:
    """Set the password (validated against the account), activate the account, verify the address reached.

    Every other open invitation or code of the account is revoked: once the password is set, an older
    message must not set it again. Called inside the caller's transaction, with the row locked.
    """
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    fields = ["password", "is_active"]
    if invitation.channel == Invitation.Channel.SMS:
        user.phone_verified = True
        fields.append("phone_verified")
    user.save(update_fields=fields)
    if invitation.channel == Invitation.Channel.EMAIL:
        email_verified_mark(user)
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    return user


def email_verified_mark(user: User) -> None:
    """The invitation reached this address: allauth's record of it says verified (and primary)."""
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    if not address.verified or not address.primary:
        EmailAddress.objects.filter(user=user).exclude(id=address.id).update(primary=False)
        address.verified, address.primary = True, True
        address.save(update_fields=["verified", "primary"])
