"""Reminders to finish: once per learner and run, ever; never to the active, the completed, or runs not ending soon."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from announcements.models import Delivery
from announcements.services.deliveries import deliveries_send
from announcements.services.reminders import reminders_claim
from courses.services.catalogue import course_run_update
from learners.models import CourseCompletion, LessonProgress
from learners.services.enrolments import enrolment_cancel
from learners.services.progress import lesson_progress_open
from onetouch.models import User
from tests.announcements.conftest import enrolled_long_ago, run_make
from tests.factories import course_make, learner_make


@pytest.fixture
def inactive(commune_hanoi, course_hanoi, run_hanoi):
    """A learner enrolled in the Hà Nội run twenty days ago who has done nothing since."""
    learner = learner_make(commune=commune_hanoi)
    enrolled_long_ago(learner, course_hanoi)
    return learner


def reminded() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_an_inactive_learner_is_reminded_once_ever(inactive, run_hanoi):
    assert reminders_claim() == 1
    assert deliveries_send() == 1
    # Every later look, that day or the next, finds the reminder already claimed.
    assert reminders_claim() == 0
    assert reminders_claim(now=timezone.now() + dt.timedelta(days=3)) == 0
    assert deliveries_send() == 0

    [message] = mail.outbox
    assert message.to == [inactive.email]
    ends = run_hanoi.ends_on.strftime("%d/%m/%Y")
    assert message.subject == f"OneTouch – “Thanh toán số” kết thúc ngày {ends}: hãy hoàn thành khóa học"
    assert f"http://testserver{run_hanoi.course.get_absolute_url()}" in message.body
    assert Delivery.objects.get().course_run == run_hanoi


@pytest.mark.django_db
def test_learners_active_within_the_days_are_not_reminded(inactive, commune_hanoi, course_hanoi):
    active = learner_make(commune=commune_hanoi)
    enrolled_long_ago(active, course_hanoi)
    lesson_progress_open(learner=active, lesson=course_hanoi.lessons.get())  # opened a lesson just now
    recent = learner_make(commune=commune_hanoi)
    enrolled_long_ago(recent, course_hanoi, days=2)  # enrolled two days ago

    reminders_claim()
    deliveries_send()

    assert reminded() == [inactive.email]


@pytest.mark.django_db
def test_activity_older_than_the_days_does_not_count(inactive, course_hanoi):
    progress = lesson_progress_open(learner=inactive, lesson=course_hanoi.lessons.get())
    LessonProgress.objects.filter(id=progress.id).update(updated_at=timezone.now() - dt.timedelta(days=8))
    reminders_claim()
    assert Delivery.objects.filter(learner=inactive).count() == 1


@pytest.mark.django_db
def test_completed_and_unenrolled_learners_are_not_reminded(inactive, commune_hanoi, course_hanoi):
    completed = learner_make(commune=commune_hanoi)
    enrolment = enrolled_long_ago(completed, course_hanoi)
    # The state the completion service leaves (learners.services.completion), without playing the course.
    CourseCompletion.objects.create(
        enrolment=enrolment,
        learner=completed,
        course=course_hanoi,
        course_run=enrolment.course_run,
        completed_at=timezone.now() - dt.timedelta(days=10),
    )
    left = learner_make(commune=commune_hanoi)
    enrolled_long_ago(left, course_hanoi)
    enrolment_cancel(learner=left, course=course_hanoi)

    reminders_claim()
    deliveries_send()

    assert reminded() == [inactive.email]


@pytest.mark.django_db
def test_a_learner_who_completes_after_the_claim_is_not_sent_it(inactive, course_hanoi):
    reminders_claim()
    enrolment = inactive.enrolments.get()
    CourseCompletion.objects.create(
        enrolment=enrolment,
        learner=inactive,
        course=course_hanoi,
        course_run=enrolment.course_run,
        completed_at=timezone.now(),
    )
    assert deliveries_send() == 0
    assert Delivery.objects.get().outcome == Delivery.Outcome.NOT_OWED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("started_days_ago", "ends_in_days", "owed"),
    [(30, 0, True), (30, 14, True), (30, 15, False), (30, -1, False), (-2, 10, False)],
)
def test_only_runs_ending_within_the_window_are_reminded(
    commune_hanoi, province_hanoi, started_days_ago, ends_in_days, owed
):
    course = course_make(province=province_hanoi)
    run = run_make(course)
    enrolled_long_ago(learner_make(commune=commune_hanoi), course)
    today = timezone.localdate()
    course_run_update(
        run=run,
        title=run.title,
        starts_on=today - dt.timedelta(days=started_days_ago),
        ends_on=today + dt.timedelta(days=ends_in_days),
    )

    assert reminders_claim() == (1 if owed else 0)


@pytest.mark.django_db
def test_the_inactive_days_come_from_the_settings(inactive, settings):
    settings.ANNOUNCEMENTS_INACTIVE_DAYS = 30  # enrolled twenty days ago: not yet inactive long enough
    assert reminders_claim() == 0


@pytest.mark.django_db
def test_a_phone_only_learner_is_reminded_by_sms(inactive, run_hanoi, caplog):
    User.objects.filter(id=inactive.id).update(email="", phone="+84987654321")
    reminders_claim()
    with caplog.at_level("INFO"):
        deliveries_send()

    [sms] = [record.getMessage() for record in caplog.records if "+84987654321" in record.getMessage()]
    ends = run_hanoi.ends_on.strftime("%d/%m/%Y")
    assert f"OneTouch: “Thanh toán số” kết thúc ngày {ends}. Hãy hoàn thành khóa học:" in sms
    assert sms.endswith(f"http://testserver{run_hanoi.course.get_absolute_url()}")
    assert not mail.outbox
