"""Sending announcements: to the target's learners and only them, each once, by email or SMS, retried with a cap."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from announcements.models import Announcement, Delivery
from announcements.selectors.deliveries import MAX_ATTEMPTS
from announcements.selectors.targets import Target
from announcements.services.announcements import announcement_create, announcement_recipients_claim
from announcements.services.deliveries import deliveries_send, deliveries_sweep
from announcements.services.messages import delivery_sms
from learners.services.enrolments import enrolment_cancel, enrolment_create
from onetouch.models import User
from tests.factories import course_make, learner_make, run_at_once


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message (the provider is outside the platform)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def announce(by: User, **target) -> Announcement:
    kind = "course_run" if "course_run" in target else "province" if "province" in target else "course"
    if kind == "course_run":
        target["course"] = target["course_run"].course
    return announcement_create(
        by=by, target=Target(kind=kind, **target), title="Lịch học tuần tới", body="Các bạn nhớ hoàn thành bài 3."
    )


def addresses() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_the_runs_learners_and_only_they_get_the_announcement_once(
    admin_hanoi, run_hanoi, course_hanoi, learners_hanoi, commune_hanoi
):
    elsewhere = learner_make(commune=commune_hanoi)
    enrolment_create(learner=elsewhere, course=course_make(province=commune_hanoi.province))
    left = learner_make(commune=commune_hanoi)
    enrolment_create(learner=left, course=course_hanoi)
    enrolment_cancel(learner=left, course=course_hanoi)
    announcement = announce(admin_hanoi, course_run=run_hanoi)

    assert announcement_recipients_claim(announcement_id=announcement.id) == 3
    assert announcement_recipients_claim(announcement_id=announcement.id) == 3  # a retried listing adds nothing
    sent_first = deliveries_send()
    sent_again = deliveries_send()

    assert (sent_first, sent_again) == (3, 0)
    assert addresses() == sorted(learner.email for learner in learners_hanoi)
    assert Delivery.objects.filter(announcement=announcement).count() == 3
    message = mail.outbox[0]
    assert message.subject == "OneTouch – Lịch học tuần tới"
    assert "Các bạn nhớ hoàn thành bài 3." in message.body
    assert "http://testserver/learning/announcements/" in message.body


@pytest.mark.django_db
def test_a_province_announcement_reaches_the_learners_whose_profile_is_there(
    ministry_staff, province_hue, learner_hue, learner_hanoi
):
    announcement = announce(ministry_staff, province=province_hue)
    announcement_recipients_claim(announcement_id=announcement.id)
    deliveries_send()
    assert addresses() == [learner_hue.email]


@pytest.mark.django_db
def test_a_course_announcement_reaches_every_run_of_the_course(admin_hanoi, course_hanoi, learners_hanoi):
    announcement = announce(admin_hanoi, course=course_hanoi)
    announcement_recipients_claim(announcement_id=announcement.id)
    deliveries_send()
    assert addresses() == sorted(learner.email for learner in learners_hanoi)


@pytest.mark.django_db(transaction=True)
def test_three_sending_tasks_at_the_same_moment_send_each_message_once(
    admin_hanoi, run_hanoi, learners_hanoi, settings
):
    settings.ANNOUNCEMENTS_BATCH_SIZE = 2  # each task takes two: the three tasks overlap on the rows
    announcement = announce(admin_hanoi, course_run=run_hanoi)
    announcement_recipients_claim(announcement_id=announcement.id)
    mail.outbox.clear()

    results, errors = run_at_once(deliveries_send, count=3)

    assert errors == []
    assert sum(results) == 3
    assert addresses() == sorted(learner.email for learner in learners_hanoi)
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_phone_only_learner_gets_the_short_form_by_sms(admin_hanoi, run_hanoi, learners_hanoi, caplog):
    phone_only = learners_hanoi[0]
    User.objects.filter(id=phone_only.id).update(email="", phone="+84912345678")
    announcement = announce(admin_hanoi, course_run=run_hanoi)
    announcement_recipients_claim(announcement_id=announcement.id)

    with caplog.at_level("INFO"):
        deliveries_send()

    delivery = Delivery.objects.get(learner=phone_only)
    assert (delivery.channel, delivery.outcome) == ("sms", "sent")
    [sms] = [record.getMessage() for record in caplog.records if "+84912345678" in record.getMessage()]
    assert "OneTouch: Lịch học tuần tới. Các bạn nhớ hoàn thành bài 3." in sms
    assert "http://testserver/learning/announcements/" in sms
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_failed_send_is_retried_after_its_backoff_and_given_up_after_the_cap(
    admin_hanoi, run_hanoi, learners_hanoi, settings
):
    announcement = announce(admin_hanoi, course_run=run_hanoi)
    announcement_recipients_claim(announcement_id=announcement.id)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    assert deliveries_send() == 0
    assert deliveries_send() == 0  # nothing is due again before its backoff
    assert list(Delivery.objects.values_list("attempts", flat=True)) == [1, 1, 1]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + dt.timedelta(minutes=2)
    assert deliveries_send(now=later) == 3
    assert deliveries_send(now=later) == 0
    assert len(mail.outbox) == 3
    assert list(Delivery.objects.values_list("attempts", flat=True)) == [2, 2, 2]


@pytest.mark.django_db
def test_a_message_that_keeps_failing_is_left_unsent_after_the_cap(admin_hanoi, run_hanoi, learners_hanoi, settings):
    announcement = announce(admin_hanoi, course_run=run_hanoi)
    announcement_recipients_claim(announcement_id=announcement.id)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        now += dt.timedelta(hours=1)
        deliveries_send(now=now)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries_send(now=now + dt.timedelta(hours=1)) == 0
    assert set(Delivery.objects.values_list("attempts", "sent_at")) == {(MAX_ATTEMPTS, None)}


@pytest.mark.django_db
def test_the_sweep_lists_an_announcement_whose_job_was_lost_and_sends_it(
    admin_hanoi, run_hanoi, learners_hanoi, django_capture_on_commit_callbacks
):
    announcement = announce(admin_hanoi, course_run=run_hanoi)  # its job is never run in this test
    fresh = announce(admin_hanoi, course_run=run_hanoi)  # its job may still be queued: left alone
    Announcement.objects.filter(id=announcement.id).update(created_at=timezone.now() - dt.timedelta(minutes=10))

    with django_capture_on_commit_callbacks() as callbacks:
        deliveries_sweep()
    assert len(callbacks) == 1  # the lost one's listing, queued by name: run it as the worker would
    announcement_recipients_claim(announcement_id=announcement.id)
    deliveries_sweep()

    assert not Delivery.objects.filter(announcement=fresh).exists()
    assert addresses() == sorted(learner.email for learner in learners_hanoi)


@pytest.mark.django_db
def test_a_long_announcement_is_cut_to_fit_one_sms_and_keeps_its_whole_link(
    admin_hanoi, run_hanoi, learners_hanoi, caplog
):
    phone_only = learners_hanoi[0]
    User.objects.filter(id=phone_only.id).update(email="", phone="+84912345678")
    target = Target(kind="course_run", course=run_hanoi.course, course_run=run_hanoi)
    announcement = announcement_create(
        by=admin_hanoi, target=target, title="Lịch học " * 16, body="Nội dung dài. " * 300
    )
    announcement_recipients_claim(announcement_id=announcement.id)

    with caplog.at_level("INFO"):
        deliveries_send()

    [logged] = [record.getMessage() for record in caplog.records if "+84912345678" in record.getMessage()]
    assert logged.endswith("… http://testserver/learning/announcements/")
    text = delivery_sms(Delivery.objects.select_related("learner", "announcement").get(learner=phone_only))
    assert len(text) == 300 and text in logged
