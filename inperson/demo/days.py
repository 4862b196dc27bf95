"""Demo data: the demo trainer of the postal service; the Hà Nội course's in-person day, a week ahead,
with the demo learner signed up; a day for checking in, today (at 8:00 when the demo is loaded before
dawn, tomorrow at 8:00 when it is loaded late in the evening), with the demo learner and trainer; and
days already held."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from courses.models import CourseRun, Partner
from inperson.demo.held_days import demo_held_days_load
from inperson.models import InPersonDay, Trainer
from inperson.services.days import day_schedule
from inperson.services.seats import seat_take
from inperson.services.trainers import trainer_create
from learners.services.enrolments import enrolment_create
from onetouch.models import Commune, Province, User

DEMO_TRAINER_EMAIL = "giangvien@demo.onetouch.vn"
DEMO_LEARNER_EMAIL = "hocvien@demo.onetouch.vn"
DEMO_MINISTRY_EMAIL = "bo@demo.onetouch.vn"
# A national course whose run opens with the demo: its day is the one to check in at.
CHECK_IN_COURSE_SLUG = "to-cong-nghe-so-cong-dong"
CHECK_IN_HOURS = 3
# Local hour after which today's check-in day would run past midnight: it is tomorrow morning instead.
CHECK_IN_LATEST_START_HOUR = 20
# Before this local hour nobody holds a training day: it starts at CHECK_IN_MORNING instead.
CHECK_IN_EARLIEST_START_HOUR = 7
CHECK_IN_MORNING = dt.time(8)
DEMO_ADMIN_EMAIL = "quantri.hanoi@demo.onetouch.vn"
DEMO_COURSE_SLUG = "chuyen-doi-so-xa-ha-noi"
DEMO_PARTNER_NAME = "Tổng công ty Bưu điện Việt Nam (Vietnam Post)"
# A week from the day the demo is loaded, when the run is still open then.
DAYS_AHEAD = 7


@transaction.atomic
def demo_in_person_days_load() -> int:
    """Make the demo trainer a trainer of the postal service and schedule the Hà Nội run's day; return how many days."""
    partner = Partner.objects.get(name=DEMO_PARTNER_NAME)
    trainer_user = User.objects.get(email=DEMO_TRAINER_EMAIL)
    trainer = Trainer.objects.filter(user=trainer_user).first() or trainer_create(user=trainer_user, partner=partner)
    demo_held_days_load()  # days already held, for the statistics pages
    hanoi_day = demo_hanoi_day_schedule(partner=partner, trainer=trainer)
    check_in_day = demo_check_in_day_schedule(partner=partner, trainer=trainer)
    learner = User.objects.get(email=DEMO_LEARNER_EMAIL)
    for day in (hanoi_day, check_in_day):
        if day is not None:
            enrolment_create(learner=learner, course=day.course_run.course)
            seat_take(learner=learner, day=day, language="vi")
    return InPersonDay.objects.count()


def demo_hanoi_day_schedule(*, partner: Partner, trainer: Trainer) -> InPersonDay | None:
    """Schedule the Hà Nội course's day a week ahead, once; None when its run has ended or it was scheduled before."""
    run = CourseRun.objects.filter(course__slug=DEMO_COURSE_SLUG).order_by("starts_on").last()
    if run is None or InPersonDay.objects.filter(course_run=run).exists():
        return None
    day = max(run.starts_on, timezone.localdate()) + dt.timedelta(days=DAYS_AHEAD)
    if day > run.ends_on:
        return None
    zone = timezone.get_default_timezone()
    return day_schedule(
        by=User.objects.get(email=DEMO_ADMIN_EMAIL),
        course_run=run,
        province=None,
        venue_name="Hội trường UBND phường Hoàn Kiếm",
        venue_address="126 Hàng Trống",
        venue_commune=Commune.objects.get(name="Phường Hoàn Kiếm"),
        starts_at=dt.datetime.combine(day, dt.time(8), tzinfo=zone),
        ends_at=dt.datetime.combine(day, dt.time(11, 30), tzinfo=zone),
        capacity=40,
        cancellation_deadline=dt.datetime.combine(day - dt.timedelta(days=1), dt.time(17), tzinfo=zone),
        partners=[partner],
        trainers=[trainer],
    )


def check_in_day_start(now: dt.datetime) -> dt.datetime:
    """When the demo's check-in day starts, loaded at local time `now`: the next half hour at least a
    quarter of an hour away (in the future however long loading takes), unless that is too early or too
    late in the day for a training; then at 8:00, today or tomorrow."""
    soon = now + dt.timedelta(minutes=15)
    starts_at = soon.replace(minute=0 if soon.minute < 30 else 30, second=0, microsecond=0) + dt.timedelta(minutes=30)
    if starts_at.date() == now.date() and starts_at.hour < CHECK_IN_EARLIEST_START_HOUR:
        return dt.datetime.combine(now.date(), CHECK_IN_MORNING, tzinfo=now.tzinfo)
    if starts_at.hour >= CHECK_IN_LATEST_START_HOUR or starts_at.date() != now.date():
        return dt.datetime.combine(now.date() + dt.timedelta(days=1), CHECK_IN_MORNING, tzinfo=now.tzinfo)
    return starts_at


def demo_check_in_day_schedule(*, partner: Partner, trainer: Trainer) -> InPersonDay | None:
    """Schedule, once, a Hà Nội day of the national course starting within the hour, so that its check-in
    (open from an hour before the start) is open when the demo starts; at 8:00 when that is before dawn
    or late in the evening (check_in_day_start)."""
    run = CourseRun.objects.filter(course__slug=CHECK_IN_COURSE_SLUG).order_by("starts_on").last()
    if run is None or InPersonDay.objects.filter(course_run=run).exists():
        return None
    starts_at = check_in_day_start(timezone.localtime())
    if not run.starts_on <= starts_at.date() <= run.ends_on:
        return None
    return day_schedule(
        by=User.objects.get(email=DEMO_MINISTRY_EMAIL),
        course_run=run,
        province=Province.objects.get(code="01"),
        venue_name="Bưu điện Trung tâm Hà Nội",
        venue_address="75 Đinh Tiên Hoàng",
        venue_commune=Commune.objects.get(name="Phường Hoàn Kiếm"),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=CHECK_IN_HOURS),
        capacity=30,
        cancellation_deadline=starts_at,
        partners=[partner],
        trainers=[trainer],
    )
