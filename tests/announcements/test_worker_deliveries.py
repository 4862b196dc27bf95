"""Announcements and reminders sent by a real worker, reminders queued by two real `celery beat` processes: once each.

Two beats is the mistake a deployment can make (a second scheduler left running): each queues the
reminders' look every second, and the sweep too, so tasks run again and again, at once; the unique
delivery rows and the row locks must still let one message through per learner.
"""

import time

import pytest
from celery.signals import task_postrun
from django.core import mail

from announcements.models import Delivery
from announcements.selectors.targets import Target
from announcements.services.announcements import announcement_create
from announcements.tasks import deliveries_send
from learners.services.progress import lesson_progress_open
from tests.announcements.conftest import enrolled_long_ago, run_make
from tests.celery_processes import beats_running
from tests.factories import course_make, learner_make

REMINDERS = "announcements.tasks.reminders_claim"
SEND = "announcements.tasks.deliveries_send"


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_two_beats_and_a_worker_remind_each_inactive_learner_once(celery_worker_running, commune_hanoi, tmp_path):
    course = course_make(title="Thanh toán số", province=commune_hanoi.province)
    run_make(course)
    inactive = [learner_make(commune=commune_hanoi) for _ in range(4)]
    for learner in inactive:
        enrolled_long_ago(learner, course)
    active = learner_make(commune=commune_hanoi)
    enrolled_long_ago(active, course)
    lesson_progress_open(learner=active, lesson=course.lessons.get())
    runs = []

    def count_run(sender=None, **kwargs) -> None:
        if sender is not None and sender.name == REMINDERS:
            runs.append(kwargs.get("retval"))

    task_postrun.connect(count_run, weak=False)
    every_s = {"ANNOUNCEMENTS_REMINDERS_EVERY_S": "1", "ANNOUNCEMENTS_SEND_EVERY_S": "1"}
    try:
        with beats_running(tmp_path, every_s=every_s) as logs:
            wait_for(lambda: len(runs) >= 6, seconds=60)
    finally:
        task_postrun.disconnect(count_run)
    wait_for(lambda: not Delivery.objects.filter(sent_at__isnull=True).exists())

    assert len(runs) >= 6
    for log in logs:
        assert log.read_text().count(f"Sending due task announcements-reminders-claim ({REMINDERS})") >= 2
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        learner.email for learner in inactive
    )
    assert Delivery.objects.filter(kind="reminder").count() == 4


@pytest.mark.django_db(transaction=True)
def test_an_announcement_goes_out_once_through_the_worker_even_when_its_tasks_run_again(
    celery_worker_running, admin_hanoi, commune_hanoi, settings
):
    settings.ANNOUNCEMENTS_BATCH_SIZE = 3  # seven learners: three sending tasks queued by the listing
    course = course_make(title="Thanh toán số", province=commune_hanoi.province)
    run = run_make(course)
    learners = [learner_make(commune=commune_hanoi) for _ in range(7)]
    for learner in learners:
        enrolled_long_ago(learner, course, days=1)
    sends = []
    task_postrun.connect(lambda sender=None, **kwargs: sends.append(1) if sender.name == SEND else None, weak=False)

    announcement_create(
        by=admin_hanoi,
        target=Target(kind="course_run", course=course, course_run=run),
        title="Họp lớp",
        body="Thứ bảy.",
    )
    wait_for(lambda: len(mail.outbox) >= 7 and len(sends) >= 3)
    # A redelivered task, and a duplicate queued by hand: they find every delivery done.
    deliveries_send.delay()
    deliveries_send.delay()
    wait_for(lambda: len(sends) >= 5)

    assert len(sends) >= 5
    assert sorted(message.to[0] for message in mail.outbox) == sorted(learner.email for learner in learners)
