"""Demo data: the Hà Nội admin's roster of commune officials, imported into the Hà Nội course's run.

Built through the services an admin's clicks call (upload, dry run, a decision on a split old
commune, confirmation, import), run here at once rather than by a worker: the jobs they queue after
the commit find the import done and do nothing. The file shows every kind of row a province sends:
new-style and old-style addresses (with the abbreviations people write), a split old commune,
phone-only officials (invited by SMS), a number that is not Vietnamese (refused), and a learner who
already has an account (matched, not created again).
"""

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from openpyxl import Workbook

from courses.models import CourseRun
from learners.models import LearnerProfile
from onetouch.models import AudienceGroup, Commune, User
from rosters.models import RosterImport, RosterRow
from rosters.pure import spreadsheets
from rosters.services.import_rows import roster_import_run
from rosters.services.imports import roster_check, roster_confirm, roster_decide, roster_import_create

DEMO_ADMIN_EMAIL = "quantri.hanoi@demo.onetouch.vn"
DEMO_COURSE_SLUG = "chuyen-doi-so-xa-ha-noi"
DEMO_FILE_NAME = "Danh sách công chức cấp xã - đợt 1.xlsx"
# The split old commune (Phường Hàng Trống, now partly Hoàn Kiếm, partly Cửa Nam): the admin knows
# both officials work at the ward office of Hoàn Kiếm.
SPLIT_DECISION = "Phường Hoàn Kiếm"
# Who the matched row names: one of the demo crowd, a Hà Nội learner not yet in the course.
CROWD_EMAIL_START, CROWD_EMAIL_END = "hocvien-", "@demo.onetouch.vn"


@dataclass(frozen=True)
class DemoOfficial:
    full_name: str
    email: str
    phone: str
    province: str
    district: str  # only in old-style addresses
    commune: str
    organisation: str
    position: str


# As a ward's office fills the template in: "Hà Nội" written three ways, old districts and wards
# (Hàng Bạc, Khâm Thiên, Cổ Loa, Ninh Hiệp were merged; Hàng Trống was split), abbreviations.
DEMO_OFFICIALS = [
    DemoOfficial(
        "Nguyễn Thị Thanh Hương",
        "huong.ntt@hanoi.gov.vn",
        "0912 408 315",
        "Hà Nội",
        "",
        "Phường Hoàn Kiếm",
        "UBND phường Hoàn Kiếm",
        "Công chức Văn phòng - Thống kê",
    ),
    DemoOfficial(
        "Trần Quốc Toản",
        "toan.tq@hanoi.gov.vn",
        "",
        "Thành phố Hà Nội",
        "",
        "Phường Ba Đình",
        "UBND phường Ba Đình",
        "Công chức Tư pháp - Hộ tịch",
    ),
    DemoOfficial(
        "Lê Thị Minh Phương", "", "0983 217 456", "Hà Nội", "", "P. Cửa Nam", "UBND phường Cửa Nam", "Viên chức"
    ),
    DemoOfficial(
        "Phạm Văn Thắng",
        "thang.pv@hanoi.gov.vn",
        "",
        "TP. Hà Nội",
        "Q. Hoàn Kiếm",
        "P. Hàng Bạc",
        "UBND phường Hoàn Kiếm",
        "Công chức Địa chính - Xây dựng",
    ),
    DemoOfficial(
        "Đỗ Thị Thu Trang",
        "trang.dtt@hanoi.gov.vn",
        "",
        "TP. Hà Nội",
        "Quận Hoàn Kiếm",
        "Phường Hàng Trống",
        "UBND phường Hoàn Kiếm",
        "Công chức Văn hóa - Xã hội",
    ),
    DemoOfficial(
        "Hoàng Minh Đức",
        "",
        "0904 562 187",
        "TP. Hà Nội",
        "Q. Hoàn Kiếm",
        "P. Hàng Trống",
        "UBND phường Hoàn Kiếm",
        "Công chức Văn phòng - Thống kê",
    ),
    DemoOfficial(
        "Vũ Ngọc Lan",
        "lan.vn@hanoi.gov.vn",
        "0936 775 120",
        "TP. Hà Nội",
        "Quận Đống Đa",
        "Phường Khâm Thiên",
        "UBND phường Văn Miếu - Quốc Tử Giám",
        "Công chức Tư pháp - Hộ tịch",
    ),
    DemoOfficial(
        "Bùi Văn Hải",
        "",
        "0967 915 804",
        "TP. Hà Nội",
        "Huyện Đông Anh",
        "Xã Cổ Loa",
        "UBND xã Đông Anh",
        "Công chức Văn phòng - Thống kê",
    ),
    DemoOfficial(
        "Ngô Thị Hạnh",
        "hanh.nt@hanoi.gov.vn",
        "",
        "TP. Hà Nội",
        "H. Gia Lâm",
        "X. Ninh Hiệp",
        "UBND xã Phù Đổng",
        "Công chức Tài chính - Kế toán",
    ),
    DemoOfficial(
        "Đặng Quang Huy",
        "huy.dq@hanoi.gov.vn",
        "0945 338 609",
        "Hà Nội",
        "",
        "Phường Tây Hồ",
        "UBND phường Tây Hồ",
        "Công chức Địa chính - Xây dựng",
    ),
    # Back from a posting in Korea, she gave her Korean number: refused, the ward is asked for a Vietnamese one.
    DemoOfficial(
        "Phan Thị Ngọc Ánh",
        "",
        "+82 10 2345 6789",
        "Hà Nội",
        "",
        "Phường Hồng Hà",
        "UBND phường Hồng Hà",
        "Công chức Văn hóa - Xã hội",
    ),
]


@transaction.atomic
def demo_roster_load() -> RosterImport | None:
    """Import the Hà Nội admin's roster into the Hà Nội course's current run, once; None without that run."""
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    run = CourseRun.objects.filter(course__slug=DEMO_COURSE_SLUG).order_by("starts_on").last()
    if run is None:
        return None
    done = RosterImport.objects.filter(course_run=run, created_by=admin, file_name=DEMO_FILE_NAME).first()
    if done is not None:
        return done
    officials = [*DEMO_OFFICIALS, *demo_officials_matching(course_run=run)]
    roster_import = roster_import_create(
        by=admin, course_run=run, file_name=DEMO_FILE_NAME, content=demo_roster_xlsx(officials)
    )
    roster_check(roster_import_id=roster_import.id)
    roster_import.refresh_from_db()  # checked: waiting for the admin's decisions
    demo_split_decide(roster_import)
    roster_confirm(roster_import=roster_import)
    roster_import_run(roster_import_id=roster_import.id)
    roster_import.refresh_from_db()
    return roster_import


def demo_officials_matching(*, course_run: CourseRun) -> list[DemoOfficial]:
    """The row of an official who is already a learner: one of the demo crowd in Hà Nội, not yet in the course.

    None when the crowd is not loaded; preferably a civil servant, as the roster is theirs.
    """
    profiles = (
        LearnerProfile.objects.filter(
            user__email__startswith=CROWD_EMAIL_START,
            user__email__endswith=CROWD_EMAIL_END,
            province__code="01",
        )
        .exclude(user__enrolments__course_id=course_run.course_id)
        .select_related("user", "commune", "province")
        .order_by("user__email")
    )
    profile = profiles.filter(audience_group=AudienceGroup.CIVIL_SERVANT).first() or profiles.first()
    if profile is None:
        return []
    return [
        DemoOfficial(
            profile.user.full_name,
            profile.user.email,
            "",
            profile.province.name,
            "",
            profile.commune.name,
            profile.organisation or f"UBND {profile.commune.name[:1].lower()}{profile.commune.name[1:]}",
            profile.position or "Công chức",
        )
    ]


def demo_roster_xlsx(officials: list[DemoOfficial]) -> bytes:
    """The roster as the ward's office saves it from the template: its sheet, its headers, one official a row."""
    with translation.override("vi"):
        audience = str(AudienceGroup.CIVIL_SERVANT.label)
    headers = spreadsheets.TEMPLATE_HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spreadsheets.TEMPLATE_SHEET
    sheet.append(list(headers.values()))
    for person in officials:
        values = {
            spreadsheets.FULL_NAME: person.full_name,
            spreadsheets.EMAIL: person.email,
            spreadsheets.PHONE: person.phone,
            spreadsheets.AUDIENCE: audience,
            spreadsheets.PROVINCE: person.province,
            spreadsheets.DISTRICT: person.district,
            spreadsheets.COMMUNE: person.commune,
            spreadsheets.ORGANISATION: person.organisation,
            spreadsheets.POSITION: person.position,
        }
        sheet.append([values[field] for field in headers])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def demo_split_decide(roster_import: RosterImport) -> None:
    """The admin's choice for the split old commune: Phường Hoàn Kiếm, for every row naming it at once."""
    waiting = roster_import.rows.filter(outcome=RosterRow.Outcome.DECIDE).order_by("number")
    while (row := waiting.first()) is not None:
        choice = Commune.objects.get(id__in=row.candidate_ids, name=SPLIT_DECISION)
        roster_decide(roster_import=roster_import, row=row, commune_id=choice.id, for_all=True)
