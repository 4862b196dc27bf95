"""Invitations of accounts created from a roster: a single-use, expiring link by email, a code by SMS.

The link and the code are read from the messages really sent (the test mailbox, the SMS log), as the
owner would; time is moved by rewriting the row's expiry, never by mocking the clock.
"""

import datetime as dt
import hashlib
import logging
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onetouch.jobs import task_queue
from onetouch.models import Invitation, User
from onetouch.services.invitations import (
    invitation_create,
    invitation_send,
    invitations_unsent_send,
    invited_user_create,
)
from onetouch.sms import SmsNotSent

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
PHONE = "+84912345678"
NEW_PASSWORD = "hoc-tap-suot-doi-2026"
MY_LEARNING = reverse("learners:my_learning")


@pytest.fixture
def official() -> User:
    return invited_user_create(full_name="Trần Thị Bình", email="Binh.Tran@xa-an-binh.gov.vn")


@pytest.fixture
def phone_official() -> User:
    return invited_user_create(full_name="Lê Văn Cường", phone=PHONE)


def invite(user: User, by: User | None = None) -> Invitation:
    invitation = invitation_create(user=user, by=by)
    assert invitation_send(invitation_id=invitation.id)
    invitation.refresh_from_db()
    return invitation


def last_link() -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)


def sms_code(caplog) -> str:
    [text] = [record.getMessage() for record in caplog.records if record.name == "onetouch.sms"][-1:]
    return re.search(r"\b(\d{6})\b", text).group(1)


def sign_in(client: Client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- By email -------------------------------------------------------------------------------------


def test_an_invited_account_signs_in_only_after_its_password_is_set_by_the_link(client, official):
    invite(official)
    [message] = mail.outbox
    assert message.to == ["binh.tran@xa-an-binh.gov.vn"]
    assert "Đặt mật khẩu" in message.subject  # Vietnamese by default
    assert "14 ngày" in message.body

    sign_in(client, official.email, NEW_PASSWORD)
    assert signed_in_as(client) is None

    link = last_link()
    page = client.get(link)
    assert page.status_code == 200 and official.email in page.content.decode()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response.url == MY_LEARNING
    assert signed_in_as(client) == str(official.id)
    official.refresh_from_db()
    assert official.is_active and official.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=official).verified
    other = Client()
    sign_in(other, official.email, NEW_PASSWORD)
    assert signed_in_as(other) == str(official.id)


def test_the_link_works_once(in_english, official):
    invite(official)
    link = last_link()
    in_english.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    stranger = Client()
    stranger.cookies["django_language"] = "en"
    again = stranger.get(link)
    posted = stranger.post(link, {"new_password1": "mat-khau-khac-999", "new_password2": "mat-khau-khac-999"})

    assert again.status_code == 410 and "already used" in again.content.decode()
    assert posted.status_code == 410 and signed_in_as(stranger) is None
    official.refresh_from_db()
    assert official.check_password(NEW_PASSWORD)


def test_an_expired_link_sets_nothing(in_english, official):
    invitation = invite(official)
    assert invitation.expires_at - invitation.sent_at == dt.timedelta(days=14)
    Invitation.objects.filter(id=invitation.id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = in_english.post(last_link(), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 410 and "has expired" in response.content.decode()
    official.refresh_from_db()
    assert not official.is_active and not official.has_usable_password()


def test_a_link_just_before_its_expiry_still_works(client, official):
    invitation = invite(official)
    Invitation.objects.filter(id=invitation.id).update(expires_at=timezone.now() + dt.timedelta(minutes=1))

    response = client.post(last_link(), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302


def test_only_a_hash_of_the_link_is_stored(official):
    invitation = invite(official)
    token = last_link().split("/")[-2]

    assert token not in invitation.secret_hash
    assert invitation.secret_hash == hashlib.sha256(token.encode()).hexdigest()


def test_a_new_invitation_replaces_the_older_link(in_english, official, admin_hanoi):
    first = invite(official, by=admin_hanoi)
    old_link = last_link()
    second = invite(official, by=admin_hanoi)

    refused = in_english.get(old_link)
    first.refresh_from_db()

    assert refused.status_code == 410 and "newer invitation" in refused.content.decode()
    assert first.revoked_at is not None and second.invited_by == admin_hanoi
    assert in_english.get(last_link()).status_code == 200


def test_an_account_that_has_a_password_is_not_invited(learner_hanoi, messages_in_english):
    with pytest.raises(ValidationError, match="already has a password"):
        invitation_create(user=learner_hanoi, by=None)

    assert not Invitation.objects.exists()


def test_an_unknown_link_is_not_found(client, official):
    invite(official)

    assert client.get(reverse("invitation_link", args=["made-up-token"])).status_code == 404


def test_a_weak_or_mistyped_password_changes_nothing(in_english, official):
    invitation = invite(official)
    link = last_link()

    weak = in_english.post(link, {"new_password1": "12345678", "new_password2": "12345678"})
    mistyped = in_english.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})

    assert "too common" in weak.content.decode()
    assert "not the same" in mistyped.content.decode()
    invitation.refresh_from_db()
    official.refresh_from_db()
    assert invitation.used_at is None and not official.is_active
    assert signed_in_as(in_english) is None


def test_the_link_page_asks_a_bounded_number_of_queries(client, official, django_assert_max_num_queries):
    invite(official)

    with django_assert_max_num_queries(4):
        assert client.get(last_link()).status_code == 200


# --- By SMS code ----------------------------------------------------------------------------------


def test_a_phone_only_official_sets_a_password_with_the_code(client, phone_official, caplog):
    assert phone_official.email is None
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        invite(phone_official)
    code = sms_code(caplog)
    assert "/accounts/invitation/code/" in caplog.text

    response = client.post(
        reverse("invitation_code"),
        {"phone": "0912 345 678", "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response.url == MY_LEARNING
    phone_official.refresh_from_db()
    assert phone_official.is_active and phone_official.phone_verified
    other = Client()
    sign_in(other, "0912345678", NEW_PASSWORD)
    assert signed_in_as(other) == str(phone_official.id)


def post_code(client: Client, code: str, *, phone: str = PHONE, password: str = NEW_PASSWORD):
    data = {"phone": phone, "code": code, "new_password1": password, "new_password2": password}
    return client.post(reverse("invitation_code"), data)


def test_wrong_codes_are_counted_and_lock_the_invitation(in_english, phone_official, caplog):
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        invitation = invite(phone_official)
    code = sms_code(caplog)
    wrong = "000000" if code != "000000" else "111111"

    answers = [post_code(in_english, wrong).content.decode() for _ in range(5)]
    invitation.refresh_from_db()
    after_lock = post_code(in_english, code).content.decode()

    assert all("not right" in answer for answer in answers[:4])
    assert "Too many wrong codes" in answers[4]
    assert invitation.wrong_codes == 5
    assert "Too many wrong codes" in after_lock
    phone_official.refresh_from_db()
    assert not phone_official.is_active and signed_in_as(in_english) is None


def test_a_number_with_no_invitation_is_told_the_code_is_wrong(in_english, phone_official):
    response = post_code(in_english, "123456", phone="0987 654 321")

    assert "The mobile number or the code is not right" in response.content.decode()


def test_an_expired_code_is_refused(in_english, phone_official, caplog):
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        invitation = invite(phone_official)
    Invitation.objects.filter(id=invitation.id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = post_code(in_english, sms_code(caplog))

    assert "This code has expired" in response.content.decode()
    phone_official.refresh_from_db()
    assert not phone_official.is_active


def test_a_used_code_is_refused(in_english, phone_official, caplog):
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        invite(phone_official)
    code = sms_code(caplog)
    post_code(Client(), code)

    response = post_code(in_english, code, password="mat-khau-khac-999")

    assert "already used" in response.content.decode()


# --- Sending once ---------------------------------------------------------------------------------


def test_sending_twice_sends_one_message(official):
    invitation = invitation_create(user=official, by=None)

    assert invitation_send(invitation_id=invitation.id) is True
    assert invitation_send(invitation_id=invitation.id) is False
    assert len(mail.outbox) == 1


def test_an_sms_that_cannot_be_sent_leaves_the_invitation_unsent(phone_official, settings, caplog):
    invitation = invitation_create(user=phone_official, by=None)
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/nothing-listens-here"
    settings.SMS_HTTP_RETRIES = 0

    with pytest.raises(SmsNotSent):
        invitation_send(invitation_id=invitation.id)

    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.secret_hash == ""
    settings.SMS_BACKEND = "log"
    with caplog.at_level(logging.WARNING, logger="onetouch.sms"):
        assert invitation_send(invitation_id=invitation.id) is True
    assert sms_code(caplog)


def test_a_revoked_invitation_is_never_sent(official):
    first = invitation_create(user=official, by=None)
    invitation_create(user=official, by=None)

    assert invitation_send(invitation_id=first.id) is False
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_once_though_its_task_runs_twice(celery_worker_running):
    official = invited_user_create(full_name="Phạm Thị Dung", email="dung@xa-binh-minh.gov.vn")
    with transaction.atomic():
        invitation = invitation_create(user=official, by=None)
    task_queue("onetouch.tasks.invitation_send", invitation.id)

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not Invitation.objects.filter(id=invitation.id, sent_at__isnull=False):
        time.sleep(0.1)
    time.sleep(1.5)  # time for the second run to (not) send

    assert Invitation.objects.get(id=invitation.id).sent_at is not None
    assert [message.to for message in mail.outbox] == [["dung@xa-binh-minh.gov.vn"]]


def test_the_sweep_sends_an_invitation_whose_task_was_lost_once(official):
    invitation = invitation_create(user=official, by=None)
    assert invitations_unsent_send() == 0  # its own task still has its turn
    Invitation.objects.filter(id=invitation.id).update(created_at=timezone.now() - dt.timedelta(minutes=10))

    assert invitations_unsent_send() == 1
    assert invitations_unsent_send() == 0
    assert len(mail.outbox) == 1
