"""Text messages to mobile numbers.

No SMS gateway is contracted yet: a message goes to the log (the console in development), where
whoever runs the platform can read it. A gateway plugs in here, and every sender (the sign-up's
verification code, the in-person day's notices) follows without change.
"""

import logging

logger = logging.getLogger(__name__)


def sms_send(*, phone: str, message: str) -> None:
    """Send `message` to the mobile number `phone` (normalised, +84…)."""
    logger.warning("SMS to %s: %s", phone, message)
