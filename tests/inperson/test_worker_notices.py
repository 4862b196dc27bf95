"""The reminder the day before, sent by a real worker from two real `celery beat` processes: once per learner.

Two beats is the mistake the issue names (a second scheduler left running after a deployment): each
queues `day_notices_send` on its own, so the task runs again and again; the unique notice rows
and the row locks must still let one reminder through per learner.
"""

import datetime as dt
import time

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from courses.services.catalogue import course_run_create
from inperson.models import DayNotice
from inperson.services.days import day_change, day_schedule
from inperson.services.seats import seat_release, seat_take
from learners.services.enrolments import enrolment_create
from tests.celery_processes import beats_running
from tests.factories import course_make, learner_make
from tests.inperson.conftest import at
from tests.inperson.test_services_days import current_fields

TASK = "inperson.tasks.day_notices_send"


@pytest.fixture
def day_tomorrow(admin_hanoi, province_hanoi, commune_hanoi):
    """A Hà Nội course whose run began today, and its day tomorrow 8:00–11:30 (Vietnam)."""
    course = course_make(title="Thanh toán số", province=province_hanoi)
    today = timezone.localdate()
    run = course_run_create(course=course, title="Đợt 1", starts_on=today, ends_on=today + dt.timedelta(days=30))
    tomorrow = today + dt.timedelta(days=1)
    day = day_schedule(
        by=admin_hanoi,
        course_run=run,
        province=province_hanoi,
        venue_name="Hội trường UBND phường",
        venue_address="1 Đinh Tiên Hoàng",
        venue_commune=commune_hanoi,
        starts_at=at(tomorrow, 8),
        ends_at=at(tomorrow, 11, 30),
        capacity=30,
        cancellation_deadline=at(tomorrow, 7),
    )
    return course, day


@pytest.mark.django_db(transaction=True)
def test_two_beats_and_a_worker_send_each_reminder_once(celery_worker_running, day_tomorrow, commune_hanoi, tmp_path):
    course, day = day_tomorrow
    learners = [learner_make(commune=commune_hanoi) for _ in range(4)]
    for learner in learners:
        enrolment_create(learner=learner, course=course)
        seat_take(learner=learner, day=day, language="vi")
    runs = []

    def count_run(sender=None, **kwargs) -> None:
        if sender is not None and sender.name == TASK:
            runs.append(kwargs.get("retval"))

    task_postrun.connect(count_run, weak=False)
    try:
        with beats_running(tmp_path, every_s={"INPERSON_NOTICES_EVERY_S": "1"}) as logs:
            # Both beats queue the task every second; wait for several runs from each.
            deadline = time.monotonic() + 60
            while len(runs) < 8 and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(count_run)

    assert len(runs) >= 8
    for log in logs:
        assert log.read_text().count(f"Sending due task inperson-day-notices-send ({TASK})") >= 2
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        learner.email for learner in learners
    )
    assert sum(runs) == 4
    assert all("Ngày mai: buổi học trực tiếp của “Thanh toán số”" in message.subject for message in mail.outbox)
    notices = DayNotice.objects.filter(kind=DayNotice.Kind.REMINDER, source=f"day-{day.id}")
    assert notices.count() == 4 and not notices.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_promoted_learner_is_told_at_once_by_the_worker(
    celery_worker_running, day_hanoi, admin_hanoi, course_hanoi, commune_hanoi
):
    """No beat here: the cancellation that frees the seat queues the sending after its commit."""
    day = day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 1})
    holder, waiting = [learner_make(commune=commune_hanoi) for _ in range(2)]
    for learner in (holder, waiting):
        enrolment_create(learner=learner, course=course_hanoi)
        seat_take(learner=learner, day=day, language="en")
    mail.outbox.clear()

    seat_release(learner=holder, day=day)

    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    [message] = mail.outbox
    assert message.to == [waiting.email]
    assert message.subject == "OneTouch – A seat is yours at the in-person day of “Thanh toán số”"
