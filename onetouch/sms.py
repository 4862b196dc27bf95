"""Text messages to mobile numbers, through the gateway the environment chooses (SMS_BACKEND).

- "log" (the default, and the embedded run's): the message goes to the log (the console in
  development), where whoever runs the platform can read it.
- "http": a generic provider contract, so any Vietnamese SMS provider (or a small adapter in front
  of one) plugs in by configuration. One message is one request:

      POST SMS_HTTP_URL
      Authorization: Bearer <SMS_HTTP_TOKEN>
      Content-Type: application/json
      {"to": "+84912345678", "text": "…"}

  Any 2xx answer means the provider took the message. A 4xx answer is the provider refusing this
  message (a bad number, a text too long, a bad key): sending it again would be refused again, so it
  is not retried. A connection error, a timeout or a 5xx answer is tried again, SMS_HTTP_RETRIES
  more times, waiting SMS_HTTP_BACKOFF_S, then twice that, and so on.

When the message finally cannot be sent, `sms_send` raises SmsNotSent: the caller's transaction
rolls back, so the message stays unsent and its worker tries it again later (inperson notices,
invitations). Every sender (the sign-up's verification code, the in-person day's notices, the
invitations and the password reset codes) calls `sms_send` and follows the gateway without change.
"""

import logging
import time

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


class SmsNotSent(Exception):
    """The message did not reach the provider; whoever sends it keeps it unsent."""


class SmsRefused(SmsNotSent):
    """The provider refused the message (a 4xx answer): the same request would be refused again."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def sms_send(*, phone: str, message: str) -> None:
    """Send `message` to the mobile number `phone` (normalised, +84…); raise SmsNotSent if it cannot."""
    if settings.SMS_BACKEND == "http":
        http_send(phone=phone, message=message)
    else:
        logger.warning("SMS to %s: %s", phone, message)


def http_send(*, phone: str, message: str) -> None:
    """POST the message to the provider, retrying what may pass next time (see the module's contract)."""
    attempts = 1 + settings.SMS_HTTP_RETRIES
    for attempt in range(1, attempts + 1):
        try:
            response = requests.post(
                settings.SMS_HTTP_URL,
                json={"to": phone, "text": message},
                headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"} if settings.SMS_HTTP_TOKEN else {},
                timeout=settings.SMS_HTTP_TIMEOUT_S,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            # The text is never logged: it may hold a code that lets its reader set a password.
            failure = f"{type(error).__name__}"
        else:
            if response.ok:
                return
            if 400 <= response.status_code < 500:
                raise SmsRefused(
                    f"The SMS provider refused the message to {phone} ({response.status_code}): {response.text[:200]}",
                    status=response.status_code,
                )
            failure = f"HTTP {response.status_code}"
        logger.warning("SMS to %s not sent (attempt %s of %s): %s", phone, attempt, attempts, failure)
        if attempt < attempts:
            time.sleep(settings.SMS_HTTP_BACKOFF_S * 2 ** (attempt - 1))
    raise SmsNotSent(f"The SMS provider could not be reached for {phone} after {attempts} attempts: {failure}")
