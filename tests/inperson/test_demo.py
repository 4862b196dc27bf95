"""The demo's in-person day: scheduled through the services for the Hà Nội course, with the demo trainer."""

import pytest
from django.utils import timezone

from courses.demo.catalogue import demo_catalogue_load
from courses.models import Partner
from inperson.demo.days import demo_in_person_days_load
from inperson.models import DayChange, InPersonDay
from learners.demo.accounts import demo_accounts_load

pytestmark = pytest.mark.django_db


def test_demo_schedules_one_hanoi_day_with_the_demo_trainer_once(admin_units):
    demo_catalogue_load(with_media=False)
    demo_accounts_load()

    assert demo_in_person_days_load() == 1
    assert demo_in_person_days_load() == 1

    day = InPersonDay.objects.select_related("province", "course_run__course").get()
    assert day.province.code == "01" and day.course_run.course.slug == "chuyen-doi-so-xa-ha-noi"
    assert [trainer.user.email for trainer in day.trainers.all()] == ["giangvien@demo.onetouch.vn"]
    assert [partner.kind for partner in day.partners.all()] == [Partner.Kind.POSTAL]
    assert day.starts_at > timezone.now() and day.changes.get().kind == DayChange.Kind.SCHEDULED
