"""Account emails (confirmation, password reset) name the platform and its issuer, come from the
configured address and carry no host in their subject, as the worker sends them."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from onetouch import adapters
from onetouch.tasks import email_send
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SENDER = "OneTouch <no-reply@onetouch.example.vn>"
ISSUER = "Bộ Khoa học và Công nghệ"


@pytest.fixture
def worker_sends(monkeypatch):
    """Run the mail task at once, as the worker would, instead of queueing it."""
    monkeypatch.setattr(adapters, "task_queue_on_commit", lambda name, **payload: email_send(**payload))


def assert_official(message, *, to: str) -> None:
    assert message.to == [to]
    assert message.from_email == SENDER
    assert "OneTouch" in message.subject
    assert "[" not in message.subject and "testserver" not in message.subject, message.subject
    assert "OneTouch" in message.body and ISSUER in message.body, message.body
    assert " ." not in message.body and " !" not in message.body, message.body  # no blank site name
    assert "https://onetouch.example.vn" in message.body


@override_settings(
    DEFAULT_FROM_EMAIL=SENDER,
    SITE_URL="https://onetouch.example.vn",
    CERTIFICATE_NATIONAL_ISSUER=ISSUER,
    ACCOUNT_EMAIL_VERIFICATION="optional",
)
def test_confirmation_email_is_official(client, worker_sends, commune_hanoi):
    email = "hoa.pham@example.vn"
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "full_name": "Phạm Thị Hoa",
            "audience_group": "public",
            "province": commune_hanoi.province.code,
            "commune": commune_hanoi.code,
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    [message] = mail.outbox
    assert_official(message, to=email)
    assert "onetouch.example.vn" in message.body.split("\n\n")[1]  # "… đăng ký tài khoản trên onetouch.example.vn."


@override_settings(
    DEFAULT_FROM_EMAIL=SENDER, SITE_URL="https://onetouch.example.vn", CERTIFICATE_NATIONAL_ISSUER=ISSUER
)
def test_password_reset_email_is_official(client, worker_sends, learner_hanoi):
    client.post(reverse("account_reset_password"), {"email": learner_hanoi.email})
    [message] = mail.outbox
    assert_official(message, to=learner_hanoi.email)
