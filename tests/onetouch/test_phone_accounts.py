"""Phone-only learners: an account with no email signs in with its mobile number and resets its password by SMS."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from onetouch.models import Invitation, User

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
RESET = reverse("password_reset_phone")
RESET_CODE = reverse("password_reset_phone_code")
PHONE = "+84912345678"
PASSWORD = "mat-khau-cu-2025"
NEW_PASSWORD = "mat-khau-moi-2026"


@pytest.fixture
def phone_learner() -> User:
    user = User(email=None, phone=PHONE, phone_verified=True, full_name="Hoàng Văn Em")
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def sms_texts(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "onetouch.sms"]


def reset_code_ask(client: Client, phone: str, caplog, address: str = "127.0.0.1"):
    """Ask for a reset code, running the queued task as the worker would; return the response."""
    from onetouch.tasks import invitation_send

    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        response = client.post(RESET, {"phone": phone}, REMOTE_ADDR=address)
        for reset in Invitation.objects.filter(sent_at__isnull=True, revoked_at__isnull=True):
            invitation_send(reset.id)
    return response


@pytest.mark.parametrize("written", ["0912345678", "0912 345 678", "+84 912 345 678"])
def test_an_account_without_email_signs_in_with_its_mobile_number(client, phone_learner, written):
    response = client.post(LOGIN, {"login": written, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_as(client) == str(phone_learner.id)


def test_an_account_without_email_is_refused_a_wrong_password(client, phone_learner):
    client.post(LOGIN, {"login": "0912345678", "password": "sai-mat-khau"})

    assert signed_in_as(client) is None


def test_many_accounts_may_have_no_email(phone_learner):
    other = User(email=None, phone="+84987654321")
    other.set_unusable_password()
    other.full_clean()
    other.save()

    assert User.objects.filter(email__isnull=True).count() == 2


def test_an_account_needs_an_email_or_a_phone():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(email=None, phone=None)


def test_a_password_is_reset_with_the_code_sent_by_sms(client, phone_learner, caplog):
    response = reset_code_ask(client, "0912 345 678", caplog)
    assert response.status_code == 302 and response.url.startswith(RESET_CODE)
    [text] = sms_texts(caplog)
    code = re.search(r"\b(\d{6})\b", text).group(1)
    assert "đặt lại mật khẩu" in text  # Vietnamese

    response = client.post(
        RESET_CODE, {"phone": "0912345678", "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302 and signed_in_as(client) == str(phone_learner.id)
    phone_learner.refresh_from_db()
    assert phone_learner.check_password(NEW_PASSWORD) and not phone_learner.check_password(PASSWORD)


def test_an_unknown_number_gets_the_same_answer_and_no_sms(in_english, phone_learner, caplog):
    known = reset_code_ask(in_english, "0912345678", caplog)
    known_page = in_english.get(known.url).content.decode()
    stranger = Client()
    stranger.cookies["django_language"] = "en"
    unknown = reset_code_ask(stranger, "0987654321", caplog, address="198.51.100.9")
    unknown_page = stranger.get(unknown.url).content.decode()

    assert unknown.status_code == known.status_code == 302
    assert (
        "If an account has this mobile number" in known_page and "If an account has this mobile number" in unknown_page
    )
    assert len(sms_texts(caplog)) == 1
    assert not Invitation.objects.filter(user__phone="+84987654321").exists()


def test_asking_again_at_once_is_paused_for_the_number(in_english, phone_learner, caplog):
    reset_code_ask(in_english, "0912345678", caplog)
    again = reset_code_ask(in_english, "0912345678", caplog)

    assert again.status_code == 429 and "Wait a few minutes" in again.content.decode()
    assert len(sms_texts(caplog)) == 1


def test_a_new_reset_code_replaces_the_older_one(client, phone_learner, caplog, settings):
    settings.ONETOUCH_RATE_LIMITS = settings.ONETOUCH_RATE_LIMITS | {"password_reset_by_phone": "5/m/key"}
    reset_code_ask(client, "0912345678", caplog)
    reset_code_ask(client, "0912345678", caplog)
    first, second = (re.search(r"\b(\d{6})\b", text).group(1) for text in sms_texts(caplog))

    stale = client.post(
        RESET_CODE, {"phone": PHONE, "code": first, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    fresh = client.post(
        RESET_CODE, {"phone": PHONE, "code": second, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert stale.status_code == 200 or first == second
    assert fresh.status_code == 302


def test_an_invitation_code_does_not_reset_a_password(client, phone_learner, caplog):
    """A reset code is typed on the reset page; the invitation page does not take it."""
    reset_code_ask(client, "0912345678", caplog)
    code = re.search(r"\b(\d{6})\b", sms_texts(caplog)[0]).group(1)

    response = client.post(
        reverse("invitation_code"),
        {"phone": PHONE, "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    phone_learner.refresh_from_db()
    assert phone_learner.check_password(PASSWORD)


def test_wrong_reset_codes_lock_it(in_english, phone_learner, caplog, settings):
    reset_code_ask(in_english, "0912345678", caplog)
    code = re.search(r"\b(\d{6})\b", sms_texts(caplog)[0]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    data = {"phone": PHONE, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    for _ in range(settings.ACCOUNT_CODE_MAX_ATTEMPTS):
        in_english.post(RESET_CODE, data | {"code": wrong})
    response = in_english.post(RESET_CODE, data | {"code": code})

    assert "Too many wrong codes" in response.content.decode()
    phone_learner.refresh_from_db()
    assert phone_learner.check_password(PASSWORD)


def test_wrong_codes_from_one_address_are_limited_across_numbers(in_english, settings):
    settings.ONETOUCH_RATE_LIMITS = settings.ONETOUCH_RATE_LIMITS | {"account_code_wrong": "3/h/ip"}
    data = {"code": "123456", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    answers = [in_english.post(RESET_CODE, data | {"phone": f"091234567{digit}"}).status_code for digit in range(4)]

    assert answers == [200, 200, 200, 429]


def test_the_reset_page_links_to_the_sms_reset(client):
    page = client.get(reverse("account_reset_password")).content.decode()

    assert RESET in page


def test_an_invited_official_whose_code_locked_asks_a_new_one_and_gets_in(client, caplog, settings):
    from onetouch.services.invitations import invitation_create, invitation_send, invited_user_create

    official = invited_user_create(full_name="Lê Văn Cường", phone="+84987654321")
    invitation = invitation_create(user=official, by=None)
    invitation_send(invitation_id=invitation.id)
    Invitation.objects.filter(id=invitation.id).update(wrong_codes=settings.ACCOUNT_CODE_MAX_ATTEMPTS)

    reset_code_ask(client, "0987654321", caplog)
    [text] = sms_texts(caplog)[-1:]
    code = re.search(r"\b(\d{6})\b", text).group(1)
    response = client.post(
        RESET_CODE, {"phone": "0987654321", "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302 and signed_in_as(client) == str(official.id)
    official.refresh_from_db()
    assert official.is_active and official.phone_verified


def test_an_account_switched_off_gets_no_reset_code(client, phone_learner, caplog):
    phone_learner.is_active = False
    phone_learner.save(update_fields=["is_active"])

    response = reset_code_ask(client, "0912345678", caplog)

    assert response.status_code == 302
    assert sms_texts(caplog) == []


def test_signing_in_again_at_once_with_a_number_to_verify_asks_to_wait(in_english, caplog):
    """A number not yet verified gets a code at sign-in, one per 30 s: a second sign-in within that time
    is told to wait (429), in the page's words and the app's, instead of failing."""
    learner = User(email=None, phone=PHONE, phone_verified=False, full_name="Hoàng Văn Em")
    learner.set_password(PASSWORD)
    learner.save()
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        first = in_english.post(LOGIN, {"login": "0912345678", "password": PASSWORD})
        another_browser = Client()
        another_browser.cookies["django_language"] = "en"
        again = another_browser.post(LOGIN, {"login": "0912345678", "password": PASSWORD})
        app = Client().post(
            "/_allauth/app/v1/auth/login", {"phone": PHONE, "password": PASSWORD}, content_type="application/json"
        )

    assert first.status_code == 302 and first["Location"] == reverse("account_verify_phone")
    assert again.status_code == 429
    assert "too many requests" in again.content.decode().lower()
    assert app.status_code == 429 and app.json()["status"] == 429
    assert len(sms_texts(caplog)) == 1  # one code sent, not one per try
