from celery import shared_task
from django.core.mail import EmailMultiAlternatives


# Not idempotent (a redelivery would send the mail twice), so acknowledged before it runs.
@shared_task(acks_late=False, max_retries=3, default_retry_delay=60, autoretry_for=(OSError,))
def email_send(*, subject: str, body: str, from_email: str, to: list[str], html: str | None) -> None:
    """Send one email rendered by the web process."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
