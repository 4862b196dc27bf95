"""Account emails (confirmation, password reset) name the platform and its issuer, come from the
configured address and carry no host in their subject, as the worker sends them; the account pages'
buttons look like the rest of the site."""

import re
import secrets
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from onetouch import adapters
from onetouch.tasks import email_send
from tests.conftest import PASSWORD
from tests.onetouch.test_settings import run_with

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


@override_settings(
    DEFAULT_FROM_EMAIL=SENDER,
    SITE_URL="https://onetouch.example.vn",
    CERTIFICATE_NATIONAL_ISSUER=ISSUER,
    ALLOWED_HOSTS=["web-1.internal", "onetouch.example.vn"],
)
def test_email_links_lead_to_the_public_address_not_the_requests_host(client, worker_sends, learner_hanoi):
    """Behind a proxy the request comes in by an internal name; the reset link must not carry it."""
    client.post(reverse("account_reset_password"), {"email": learner_hanoi.email}, HTTP_HOST="web-1.internal:8000")
    [message] = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert any("/accounts/password/reset/key/" in link for link in links), message.body
    assert links and {urlsplit(link)[:2] for link in links} == {("https", "onetouch.example.vn")}, links
    assert "web-1.internal" not in message.body


def submit_buttons(html: str) -> list[str]:
    """The opening tags of the submit buttons in the page's main part (the header's are the site's own)."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.findall(r"<button\b[^>]*type=\"submit\"[^>]*>", main, flags=re.S)


def test_account_pages_submit_buttons_wear_the_site_button(client, learner_hanoi):
    """Sign in, confirm the email, reset the password: allauth's buttons carry the site's .button."""
    confirmation = EmailConfirmationHMAC(EmailAddress.objects.create(user=learner_hanoi, email=learner_hanoi.email))
    key = default_token_generator.make_token(learner_hanoi)
    reset_from_key = client.get(
        reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(learner_hanoi), "key": key},
        )
    ).url
    pages = [
        reverse("account_login"),
        reverse("account_reset_password"),
        reverse("account_confirm_email", args=[confirmation.key]),
        reset_from_key,
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        buttons = submit_buttons(response.content.decode())
        assert buttons, f"{url} has no submit button"
        for button in buttons:
            assert re.search(r'class="button[ "]', button), f"{url}: {button}"


def test_sender_is_configured_or_on_the_platforms_own_domain():
    """DEFAULT_FROM_EMAIL from the environment; unset, the platform's name at SITE_URL's host."""
    code = "import django; from django.conf import settings; django.setup(); print(settings.DEFAULT_FROM_EMAIL)"
    production = {"SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": "https://hoc.example.vn/"}
    configured = run_with(production | {"DEFAULT_FROM_EMAIL": "Học số <thu@hoc.example.vn>"}, code=code)
    derived = run_with(production | {"DEFAULT_FROM_EMAIL": ""}, code=code)
    assert configured.stdout.strip() == "Học số <thu@hoc.example.vn>", configured.stderr
    assert derived.stdout.strip() == "OneTouch <no-reply@hoc.example.vn>", derived.stderr
