"""The demo's in-person day: scheduled through the services for the Hà Nội course, with the demo trainer."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.demo.catalogue import demo_catalogue_load
from courses.models import Partner
from inperson.demo.days import check_in_day_start, demo_in_person_days_load
from inperson.models import DayChange, DaySeat, InPersonDay
from learners.demo.accounts import demo_accounts_load
from learners.models import LearningEvent
from reporting.models import DayCount
from reporting.services.fold import statistics_fold
from tests.factories import learner_make

pytestmark = pytest.mark.django_db


def test_demo_schedules_two_hanoi_days_with_the_demo_trainer_and_learner_once(admin_units):
    """The Hà Nội course's day a week ahead, and a day to check in at within the hour (or at 8:00)."""
    demo_catalogue_load(with_media=False)
    demo_accounts_load()

    assert demo_in_person_days_load() == 2
    assert demo_in_person_days_load() == 2

    days = {
        day.course_run.course.slug: day
        for day in InPersonDay.objects.select_related("province", "course_run__course").prefetch_related("seats")
    }
    assert sorted(days) == ["chuyen-doi-so-xa-ha-noi", "to-cong-nghe-so-cong-dong"]
    for day in days.values():
        assert day.province.code == "01" and day.starts_at > timezone.now()
        assert [trainer.user.email for trainer in day.trainers.all()] == ["giangvien@demo.onetouch.vn"]
        assert [partner.kind for partner in day.partners.all()] == [Partner.Kind.POSTAL]
        assert day.changes.get().kind == DayChange.Kind.SCHEDULED
        assert [(seat.learner.email, seat.status) for seat in day.seats.all()] == [
            ("hocvien@demo.onetouch.vn", DaySeat.Status.SIGNED_UP)
        ]
    check_in_day = days["to-cong-nghe-so-cong-dong"]
    opens_within_the_hour = check_in_day.starts_at - timezone.now() <= dt.timedelta(minutes=45)
    at_eight_in_the_morning = timezone.localtime(check_in_day.starts_at).time() == dt.time(8)
    assert opens_within_the_hour or at_eight_in_the_morning


@pytest.mark.parametrize(
    ("loaded_at", "starts_at"),
    [
        ((2026, 12, 5, 14, 10), (2026, 12, 5, 14, 30)),  # the next half hour a quarter of an hour away
        ((2026, 12, 5, 14, 20), (2026, 12, 5, 15, 0)),
        ((2026, 12, 5, 6, 20), (2026, 12, 5, 7, 0)),  # check-in opens at 6:00: open when the demo starts
        ((2026, 12, 6, 3, 38), (2026, 12, 6, 8, 0)),  # before dawn: this morning at 8:00, not at 4:00
        ((2026, 12, 5, 19, 50), (2026, 12, 6, 8, 0)),  # too late to end before midnight: tomorrow at 8:00
        ((2026, 12, 5, 23, 40), (2026, 12, 6, 8, 0)),
    ],
)
def test_the_check_in_day_starts_within_the_hour_or_at_eight_in_the_morning(loaded_at, starts_at):
    zone = timezone.get_default_timezone()
    now = dt.datetime(*loaded_at, tzinfo=zone)
    assert check_in_day_start(now) == dt.datetime(*starts_at, tzinfo=zone)


def test_demo_holds_days_in_the_past_with_seats_and_attendance_once(admin_units, commune_hanoi):
    """Crowd learners of Hà Nội enrol in a run, sign up and attend a day twelve days ago; the fold counts it."""
    demo_catalogue_load(with_media=False)
    demo_accounts_load()
    crowd = [learner_make(commune=commune_hanoi, email=f"hocvien-{n}@demo.onetouch.vn") for n in range(3)]

    demo_in_person_days_load()
    demo_in_person_days_load()
    statistics_fold()

    day = InPersonDay.objects.get(starts_at__lt=timezone.now())
    assert day.province.code == "01" and day.changes.get().kind == DayChange.Kind.SCHEDULED
    assert sorted(day.seats.values_list("learner_id", flat=True)) == sorted(user.id for user in crowd)
    assert day.attendances.filter(present=True).count() == 3
    events = LearningEvent.objects.filter(kind=LearningEvent.Kind.ATTENDED_IN_PERSON, course_run=day.course_run)
    assert events.count() == 3 and all(event.occurred_at >= day.starts_at for event in events)
    assert all(event.occurred_at < day.ends_at for event in events)
    assert list(DayCount.objects.values_list("day_id", "signed_up")) == [(day.id, 3)]
    # The attendees then completed the course online: completed in person, once.
    completed = LearningEvent.objects.filter(kind=LearningEvent.Kind.COMPLETED_IN_PERSON, course_run=day.course_run)
    assert completed.count() == 3
