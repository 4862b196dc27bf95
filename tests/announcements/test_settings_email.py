"""Production email is chosen by the environment: the console by default, a provider through django-anymail."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_EMAIL = """
import django
from django.conf import settings
from django.core.mail import get_connection
django.setup()
connection = get_connection()
print(type(connection).__module__, sorted(settings.ANYMAIL.items()), getattr(connection, "api_key", None))
"""


def email_settings(**variables: str) -> str:
    """Start the settings in a fresh process with these variables (and none of the test run's email ones)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("EMAIL_", "ANYMAIL_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "onetouch.settings.base",
        "DEBUG": "true",
        "ONETOUCH_VAR_DIR": tempfile.mkdtemp(prefix="onetouch-email-"),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_EMAIL], env=env | variables, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_embedded_run_prints_mail_to_the_console():
    assert email_settings() == "django.core.mail.backends.console [] None"


def test_a_provider_is_configured_by_anymail_variables():
    printed = email_settings(
        EMAIL_BACKEND="anymail.backends.mailgun.EmailBackend",
        ANYMAIL_MAILGUN_API_KEY="key-from-env",
        ANYMAIL_MAILGUN_SENDER_DOMAIN="mg.onetouch.example.vn",
    )
    assert printed == (
        "anymail.backends.mailgun [('MAILGUN_API_KEY', 'key-from-env'), "
        "('MAILGUN_SENDER_DOMAIN', 'mg.onetouch.example.vn')] key-from-env"
    )
