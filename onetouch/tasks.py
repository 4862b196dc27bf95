from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from onetouch.services.invitations import invitation_send as invitation_send_service
from onetouch.services.invitations import invitations_unsent_send as invitations_unsent_send_service
from onetouch.sms import SmsNotSent, SmsRefused


# Not idempotent (a redelivery would send the mail twice), so acknowledged before it runs.
@shared_task(acks_late=False, max_retries=3, default_retry_delay=60, autoretry_for=(OSError,))
def email_send(*, subject: str, body: str, from_email: str, to: list[str], html: str | None) -> None:
    """Send one email rendered by the web process."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


# Idempotent: the invitation is sent under its row lock together with its sent_at, so a redelivered
# task or two workers at once send it once. A message that fails leaves it unsent and is retried.
INVITATION_SEND_OPTIONS = {
    "acks_late": True,
    "max_retries": 5,
    "autoretry_for": (SmsNotSent, OSError),
    # The provider refused this message (a 4xx): it would refuse it again; it stays unsent.
    "dont_autoretry_for": (SmsRefused,),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
}


@shared_task(**INVITATION_SEND_OPTIONS)
def invitation_send(invitation_id: int) -> bool:
    """Send an invitation's link or code (or a password reset code), once."""
    return invitation_send_service(invitation_id=invitation_id)


# The same sending for the invitations of a roster's batch, under another name so that it is routed
# to the bulk mail queue (docs/decisions/0027): twenty thousand of them never delay a reset code.
@shared_task(**INVITATION_SEND_OPTIONS)
def invitation_send_in_bulk(invitation_id: int) -> bool:
    """Send one invitation of a roster's batch, once."""
    return invitation_send_service(invitation_id=invitation_id)


# Idempotent for the same reason as invitation_send.
@shared_task(acks_late=True)
def invitations_unsent_send() -> int:
    """Send the invitations and codes whose task was lost (the broker was down when they were made)."""
    return invitations_unsent_send_service()
