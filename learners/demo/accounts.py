"""Demo data: one demo account per role, each the way the site makes it."""

from dataclasses import dataclass

from django.db import transaction

from courses.models import Course
from learners.services.enrolments import enrolment_create, profile_save
from onetouch.models import Commune, Province, User
from onetouch.services.staff_accounts import staff_account_create

# Public on purpose: `make run` prints it beside the demo logins.
DEMO_PASSWORD = "onetouch-demo-2025"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    province_code: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("hocvien@demo.onetouch.vn", "Nguyễn Thị Hồng Nhung", User.Role.LEARNER),
    DemoAccount("quantri.hanoi@demo.onetouch.vn", "Trần Văn Đức", User.Role.PROVINCIAL_ADMIN, "01"),
    DemoAccount("giangvien@demo.onetouch.vn", "Lê Minh Tuấn", User.Role.PARTNER_TRAINER),
    DemoAccount("bo@demo.onetouch.vn", "Phạm Thu Hà", User.Role.MINISTRY_STAFF),
]


@transaction.atomic
def demo_accounts_load() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; return all of them."""
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email=account.email).exists():
            continue
        if account.role == User.Role.LEARNER:
            demo_learner_create(account)
        else:
            province = Province.objects.get(code=account.province_code) if account.province_code else None
            staff_account_create(
                email=account.email,
                full_name=account.full_name,
                role=account.role,
                password=DEMO_PASSWORD,
                province=province,
            )
    return DEMO_ACCOUNTS


def demo_learner_create(account: DemoAccount) -> User:
    user = User.objects.create_user(account.email, DEMO_PASSWORD, full_name=account.full_name)
    commune = Commune.objects.select_related("province").get(name="Phường Hoàn Kiếm")
    profile_save(
        user=user,
        audience_group="digital_team",
        province=commune.province,
        commune=commune,
        organisation="Tổ công nghệ số cộng đồng phường Hoàn Kiếm",
        position="Tổ viên",
    )
    enrolment_create(learner=user, course=Course.objects.get(slug="an-toan-thong-tin-co-ban"))
    return user
