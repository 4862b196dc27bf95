"""Demo data: the demo trainer of the postal service, and one in-person day for the Hà Nội course's run."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from courses.models import CourseRun, Partner
from inperson.demo.held_days import demo_held_days_load
from inperson.models import InPersonDay, Trainer
from inperson.services.days import day_schedule
from inperson.services.trainers import trainer_create
from onetouch.models import Commune, User

DEMO_TRAINER_EMAIL = "giangvien@demo.onetouch.vn"
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
    run = CourseRun.objects.filter(course__slug=DEMO_COURSE_SLUG).order_by("starts_on").last()
    if run is None or InPersonDay.objects.filter(course_run=run).exists():
        return InPersonDay.objects.count()
    day = max(run.starts_on, timezone.localdate()) + dt.timedelta(days=DAYS_AHEAD)
    if day > run.ends_on:
        return InPersonDay.objects.count()
    zone = timezone.get_default_timezone()
    day_schedule(
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
    return InPersonDay.objects.count()
