"""One-click unsubscribe (RFC 8058): headers on every announcement and reminder email, honoured at once."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from announcements.models import Delivery, EmailOptOut
from announcements.pure.unsubscribe import unsubscribe_token_make
from announcements.selectors.targets import Target
from announcements.services.announcements import announcement_create, announcement_recipients_claim
from announcements.services.deliveries import deliveries_send
from announcements.services.reminders import reminders_claim
from tests.announcements.conftest import enrolled_long_ago
from tests.factories import learner_make


def announce(by, run, title: str = "Lịch học tuần tới"):
    target = Target(kind="course_run", course=run.course, course_run=run)
    announcement = announcement_create(by=by, target=target, title=title, body="Nội dung")
    announcement_recipients_claim(announcement_id=announcement.id)
    return announcement


def unsubscribe_path(message) -> str:
    """The path of the List-Unsubscribe header's https address, checked against RFC 8058's shape."""
    header = message.extra_headers["List-Unsubscribe"]
    match = re.fullmatch(r"<http://testserver(/emails/unsubscribe/[^/>]+/)>", header)
    assert match, header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return match.group(1)


@pytest.mark.django_db
def test_a_one_click_post_without_sign_in_or_csrf_unsubscribes_and_the_next_batch_skips_them(
    admin_hanoi, run_hanoi, learners_hanoi, settings
):
    first, *others = learners_hanoi
    announce(admin_hanoi, run_hanoi)
    deliveries_send()
    [to_first] = [message for message in mail.outbox if message.to == [first.email]]
    announce(admin_hanoi, run_hanoi, title="Thông báo thứ hai")  # already claimed for all three
    mail.outbox.clear()

    mail_client = Client(enforce_csrf_checks=True)  # a mail provider's POST: no cookie, no token
    response = mail_client.post(unsubscribe_path(to_first), {"List-Unsubscribe": "One-Click"})
    deliveries_send()

    assert response.status_code == 200
    assert EmailOptOut.objects.filter(learner=first, kind="announcement").exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(learner.email for learner in others)
    assert Delivery.objects.get(learner=first, announcement__title="Thông báo thứ hai").outcome == "unsubscribed"


@pytest.mark.django_db
def test_the_link_opened_in_a_browser_asks_first_and_changes_nothing(client, learner_hanoi, in_english):
    path = reverse(
        "announcements:unsubscribe", args=[unsubscribe_token_make(user_id=learner_hanoi.id, kind="reminder")]
    )

    response = client.get(path)

    assert response.status_code == 200
    assert "Stop receiving reminders to finish your courses?" in response.content.decode()
    assert '<form method="post">' in response.content.decode()
    assert not EmailOptOut.objects.exists()


@pytest.mark.django_db
def test_a_forged_or_damaged_token_unsubscribes_nobody(client, learner_hanoi):
    token = unsubscribe_token_make(user_id=learner_hanoi.id, kind="announcement")
    # Another account's payload under this one's signature.
    other_payload = unsubscribe_token_make(user_id=learner_hanoi.id + 1, kind="announcement").split(":")[0]
    forged = ":".join([other_payload, *token.split(":")[1:]])
    for bad in (forged, token[:-3], "abc"):
        assert client.post(reverse("announcements:unsubscribe", args=[bad])).status_code == 404
    assert not EmailOptOut.objects.exists()


@pytest.mark.django_db
def test_unsubscribing_from_reminders_keeps_the_announcements(admin_hanoi, run_hanoi, commune_hanoi, course_hanoi):
    learner = learner_make(commune=commune_hanoi)
    enrolled_long_ago(learner, course_hanoi)
    reminders_claim()
    deliveries_send()
    [reminder] = mail.outbox
    mail.outbox.clear()

    Client().post(unsubscribe_path(reminder))
    announce(admin_hanoi, run_hanoi)
    deliveries_send()

    assert [message.to for message in mail.outbox] == [[learner.email]]
    assert list(EmailOptOut.objects.values_list("kind", flat=True)) == ["reminder"]


@pytest.mark.django_db
def test_the_learner_subscribes_again_from_their_profile(client, learner_hanoi, in_english):
    EmailOptOut.objects.create(learner=learner_hanoi, kind="announcement")
    client.force_login(learner_hanoi)
    profile = client.get(reverse("learners:profile")).content.decode()
    assert "Emails about your courses" in profile and "you unsubscribed." in profile

    response = client.post(
        reverse("announcements:email_preference"),
        {"kind": "announcement", "subscribed": "on", "next": "/learning/profile/"},
    )

    assert response.status_code == 302
    assert not EmailOptOut.objects.exists()


def test_account_emails_carry_no_unsubscribe_header(client, celery_worker_running, commune_hanoi):
    """The password reset (sent by the worker) is an account message: it can never be unsubscribed from."""
    learner = learner_make(commune=commune_hanoi)
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": learner.email})
    deadline = time.monotonic() + 15
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    [message] = mail.outbox
    assert "/accounts/password/reset/key/" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
