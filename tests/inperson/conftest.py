"""A Hà Nội course and a national course, each with a run a few weeks ahead, partners and trainers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from courses.models import Partner
from courses.services.catalogue import course_run_create
from inperson.services.days import day_schedule
from inperson.services.trainers import trainer_create
from onetouch.models import User
from onetouch.services.staff_accounts import staff_account_create
from tests.factories import course_make

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return the moment `hour:minute` of `day` in Vietnam."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VIETNAM)


@pytest.fixture
def course_hanoi(province_hanoi):
    return course_make(title="Thanh toán số", province=province_hanoi)


@pytest.fixture
def course_national(admin_units):
    return course_make(title="Dịch vụ công trực tuyến", province=None)


@pytest.fixture
def run_hanoi(course_hanoi):
    today = timezone.localdate()
    return course_run_create(
        course=course_hanoi,
        title="Đợt 1",
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40),
    )


@pytest.fixture
def run_national(course_national):
    today = timezone.localdate()
    return course_run_create(
        course=course_national,
        title="Đợt toàn quốc",
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40),
    )


@pytest.fixture
def partner_post(db):
    return Partner.objects.create(name="Bưu điện Việt Nam", kind=Partner.Kind.POSTAL)


@pytest.fixture
def partner_telecom(db):
    return Partner.objects.create(name="Viettel", kind=Partner.Kind.TELECOM)


@pytest.fixture
def trainer_post(partner_trainer, partner_post):
    return trainer_create(user=partner_trainer, partner=partner_post)


@pytest.fixture
def trainer_telecom(admin_units, partner_telecom):
    user = staff_account_create(
        email="giangvien.viettel@example.vn",
        full_name="Giảng viên Viettel",
        role=User.Role.PARTNER_TRAINER,
        password="mat-khau-dai-123",
    )
    return trainer_create(user=user, partner=partner_telecom)


def day_fields(run, commune, **changes) -> dict:
    """The fields of a sound day of `run`: its fifth day, 8:00 to 11:30, 30 seats."""
    day = run.starts_on + dt.timedelta(days=5)
    fields = {
        "province": commune.province,
        "venue_name": "Hội trường UBND phường",
        "venue_address": "1 Đinh Tiên Hoàng",
        "venue_commune": commune,
        "starts_at": at(day, 8),
        "ends_at": at(day, 11, 30),
        "capacity": 30,
        "cancellation_deadline": at(day - dt.timedelta(days=1), 17),
    }
    fields.update(changes)
    return fields


@pytest.fixture
def day_hanoi(admin_hanoi, run_hanoi, commune_hanoi, partner_post, trainer_post):
    return day_schedule(
        by=admin_hanoi,
        course_run=run_hanoi,
        partners=[partner_post],
        trainers=[trainer_post],
        **day_fields(run_hanoi, commune_hanoi),
    )


# The check-in tests' learners signed up and the day moved to now (docs/decisions/0018).
from tests.inperson.checkin_setup import binh, cuc, day_open  # noqa: E402, F401
