"""Roster imports end to end through the services and pages: the dry run, decisions, the import, the report."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from courses.models import CourseRun
from courses.services.catalogue import course_enrolment_counts_refresh
from learners.models import Enrolment, LearnerProfile, LearningEvent
from onetouch.models import Commune, Invitation, User
from rosters.models import OldCommune, OldCommuneSuccessor, RosterImport, RosterRow
from rosters.pure.addresses import commune_key, district_key, province_key
from rosters.services.import_rows import roster_import_run
from rosters.services.imports import (
    roster_check,
    roster_confirm,
    roster_decide,
    roster_files_expire,
    roster_import_create,
)
from tests.factories import course_make
from tests.rosters.roster_files import csv_bytes, person, xlsx_bytes

pytestmark = pytest.mark.django_db
Outcome = RosterRow.Outcome


@pytest.fixture
def run_hanoi(province_hanoi) -> CourseRun:
    course = course_make(province=province_hanoi)
    return CourseRun.objects.create(course=course, title="Đợt 1", starts_on="2026-01-05", ends_on="2027-06-30")


@pytest.fixture
def run_hue(province_hue) -> CourseRun:
    course = course_make(province=province_hue)
    return CourseRun.objects.create(course=course, title="Đợt Huế", starts_on="2026-01-05", ends_on="2027-06-30")


@pytest.fixture
def split_commune(province_hanoi) -> tuple[Commune, Commune]:
    """An old commune of Hà Nội split between two communes of today (rosters' mapping tables)."""
    first, second = province_hanoi.communes.order_by("code")[:2]
    old = OldCommune.objects.create(
        code="99901",
        name="Xã Thử Nghiệm",
        district_code="999",
        district_name="Huyện Thử",
        province_code="01",
        province_name="Thành phố Hà Nội",
        key=commune_key("Xã Thử Nghiệm").folded,
        district_key=district_key("Huyện Thử").folded,
        province_key=province_key("Thành phố Hà Nội").folded,
    )
    OldCommuneSuccessor.objects.create(old_commune=old, commune=first, is_main=True)
    OldCommuneSuccessor.objects.create(old_commune=old, commune=second)
    return first, second


def checked(*, by: User, run: CourseRun, data: bytes, name: str = "danh-sach.csv") -> RosterImport:
    roster_import = roster_import_create(by=by, course_run=run, file_name=name, content=data)
    roster_check(roster_import_id=roster_import.id)
    roster_import.refresh_from_db()
    return roster_import


def imported(roster_import: RosterImport) -> RosterImport:
    roster_confirm(roster_import=roster_import)
    roster_import_run(roster_import_id=roster_import.id)
    roster_import.refresh_from_db()
    return roster_import


def outcomes(roster_import: RosterImport) -> dict[int, tuple[str, str]]:
    return {row.number: (row.outcome, row.reason) for row in roster_import.rows.all()}


def world() -> tuple:
    """What an import may change: accounts, their invitations, profiles, enrolments."""
    return (
        sorted(User.objects.values_list("email", "phone", "is_active")),
        sorted(Invitation.objects.values_list("user_id", "channel")),
        sorted(LearnerProfile.objects.values_list("user_id", "commune_id")),
        sorted(Enrolment.objects.values_list("learner_id", "course_id", "course_run_id", "is_active")),
    )


def test_the_dry_run_plans_each_row_and_writes_no_account_or_enrolment(
    admin_hanoi, run_hanoi, learner_hanoi, commune_hue
):
    Enrolment.objects.create(learner=User.objects.create_user("da.hoc@example.vn", "x"), course=run_hanoi.course)
    rows = [
        person(2),  # new
        person(3, email="learner.hanoi@example.vn"),  # existing account
        person(4, email="da.hoc@example.vn"),  # already enrolled
        person(5, email="can.bo.2@example.vn"),  # same person as row 2
        person(6, name=""),
        person(7, email="not-an-email"),
        person(8, email="", phone="0123"),
        person(9, commune=commune_hue.name, province="Huế"),  # outside Hà Nội
        person(10, commune="Phường Không Có"),
        person(11, audience="Nhóm lạ"),
        person(12, email="", phone="0912 345 678"),  # phone only
        person(13, email="a" * 250 + "@example.vn", phone="0" * 40),  # longer than any column
    ]
    before = world()
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows))
    assert world() == before
    assert roster_import.status == RosterImport.Status.CHECKED
    assert outcomes(roster_import) == {
        2: (Outcome.CREATE, ""),
        3: (Outcome.MATCH, ""),
        4: (Outcome.ALREADY, ""),
        5: (Outcome.REFUSED, "duplicate"),
        6: (Outcome.REFUSED, "missing_name"),
        7: (Outcome.REFUSED, "bad_email"),
        8: (Outcome.REFUSED, "bad_phone"),
        9: (Outcome.REFUSED, "outside_province"),
        10: (Outcome.REFUSED, "unknown_commune"),
        11: (Outcome.REFUSED, "bad_audience"),
        12: (Outcome.REFUSED, "needs_email") if not User._meta.get_field("email").null else (Outcome.CREATE, ""),
        13: (Outcome.REFUSED, "bad_email"),
    }


def test_the_import_creates_inactive_accounts_with_profiles_and_enrols_everyone_once(
    admin_hanoi, run_hanoi, learner_hanoi
):
    rows = [person(2, phone="0912 345 678"), person(3, email="LEARNER.hanoi@example.vn"), person(4, email="")]
    roster_import = imported(checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows)))
    assert roster_import.status == RosterImport.Status.DONE
    new = User.objects.get(email="can.bo.2@example.vn")
    assert (new.is_active, new.has_usable_password(), new.phone, new.full_name) == (
        False,
        False,
        "+84912345678",
        "Nguyễn Thị Hằng 2",
    )
    profile = new.profile
    assert (profile.province_id, profile.commune.name, profile.audience_group) == (
        run_hanoi.course.owner_province_id,
        "Phường Hoàn Kiếm",
        "civil_servant",
    )
    assert (profile.organisation, profile.position) == ("UBND phường", "Chuyên viên")
    enrolled = Enrolment.objects.filter(course=run_hanoi.course, course_run=run_hanoi, is_active=True)
    assert set(enrolled.values_list("learner__email", flat=True)) == {"can.bo.2@example.vn", "learner.hanoi@example.vn"}
    assert outcomes(roster_import)[3] == (Outcome.MATCH, "")
    course_enrolment_counts_refresh()  # the catalogue's count follows at the periodic recount
    run_hanoi.course.refresh_from_db()
    assert run_hanoi.course.enrolment_count == 2
    # The statistics' events: enrolled (both, with where they live), joined (the new learner's first enrolment).
    events = LearningEvent.objects.filter(course=run_hanoi.course, course_run=run_hanoi)
    assert sorted(events.values_list("kind", "learner__email", "commune__name")) == [
        ("enrolled", "can.bo.2@example.vn", "Phường Hoàn Kiếm"),
        ("enrolled", "learner.hanoi@example.vn", "Phường Hoàn Kiếm"),
        ("learner_joined", "can.bo.2@example.vn", "Phường Hoàn Kiếm"),
        ("learner_joined", "learner.hanoi@example.vn", "Phường Hoàn Kiếm"),
    ]
    # The matched learner's own profile is theirs: the roster does not rewrite it.
    assert learner_hanoi.profile.audience_group == "public"
    # Only the new account is invited to set a password, by the admin who imported it.
    assert list(Invitation.objects.values_list("user__email", "channel", "invited_by")) == [
        ("can.bo.2@example.vn", Invitation.Channel.EMAIL, admin_hanoi.id)
    ]


def test_a_phone_only_official_is_invited_by_sms(admin_hanoi, run_hanoi):
    roster_import = imported(
        checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes([person(2, email="", phone="0912 345 678")]))
    )
    assert roster_import.status == RosterImport.Status.DONE
    new = User.objects.get(phone="+84912345678")
    assert (new.email, new.is_active) == (None, False)
    assert list(Invitation.objects.values_list("user_id", "channel")) == [(new.id, Invitation.Channel.SMS)]


def test_uploading_the_same_file_again_changes_nothing_and_says_so(client, admin_hanoi, run_hanoi):
    data = xlsx_bytes([person(2), person(3, phone="0987654321")])
    first = imported(checked(by=admin_hanoi, run=run_hanoi, data=data, name="a.xlsx"))
    after_first = world()
    second = checked(by=admin_hanoi, run=run_hanoi, data=data, name="a.xlsx")
    assert {outcome for outcome, _reason in outcomes(second).values()} == {Outcome.ALREADY}
    imported(second)
    assert world() == after_first
    assert first.file_sha256 == second.file_sha256
    client.force_login(admin_hanoi)
    page = client.get(reverse("rosters:detail", args=[second.id]))
    assert page.context["earlier"] == first


def test_a_split_commune_waits_for_the_admins_choice_and_the_chosen_commune_is_used(
    client, admin_hanoi, run_hanoi, split_commune
):
    first, second = split_commune
    rows = [
        person(2, commune="Xã Thử Nghiệm", district="Huyện Thử"),
        person(3, commune="xa thu nghiem", district="H. Thử"),
        person(4, commune="Xã Thử Nghiệm", district="Huyện Thử"),
    ]
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows))
    assert {outcome for outcome, _reason in outcomes(roster_import).values()} == {Outcome.DECIDE}
    row_2 = roster_import.rows.get(number=2)
    assert sorted(row_2.candidate_ids) == sorted([first.id, second.id])
    with pytest.raises(ValidationError, match="3 rows still need a commune of today"), translation.override("en"):
        roster_confirm(roster_import=roster_import)
    assert roster_decide(roster_import=roster_import, row=row_2, commune_id=second.id, for_all=False) == 1
    row_3 = roster_import.rows.get(number=3)
    assert roster_decide(roster_import=roster_import, row=row_3, commune_id=first.id, for_all=True) == 2
    imported(roster_import)
    communes = dict(LearnerProfile.objects.values_list("user__email", "commune_id"))
    assert communes == {
        "can.bo.2@example.vn": second.id,
        "can.bo.3@example.vn": first.id,
        "can.bo.4@example.vn": first.id,
    }
    # The report shows the commune of today and the old address as the file wrote it.
    client.force_login(admin_hanoi)
    with translation.override("en"):
        page = client.get(reverse("rosters:detail", args=[roster_import.id]), HTTP_ACCEPT_LANGUAGE="en")
    row_html = page.content.decode().split('id="row-3"')[1].split("</tr>")[0]
    assert first.name in row_html and "xa thu nghiem, H. Thử" in row_html


def test_a_ministry_import_takes_any_province_and_a_provincial_one_only_its_own(
    ministry_staff, admin_hue, run_hanoi, commune_hue
):
    rows = [person(2), person(3, commune=commune_hue.name, province="Huế")]
    national = checked(by=ministry_staff, run=run_hanoi, data=csv_bytes(rows))
    assert {outcome for outcome, _reason in outcomes(national).values()} == {Outcome.CREATE}


def test_a_run_of_another_province_answers_as_missing(client, admin_hue, run_hanoi):
    client.force_login(admin_hue)
    assert client.get(reverse("rosters:upload", args=[run_hanoi.id])).status_code == 404
    data = SimpleUploadedFile("a.csv", csv_bytes([person(2)]))
    assert client.post(reverse("rosters:upload", args=[run_hanoi.id]), {"file": data}).status_code == 404
    assert not RosterImport.objects.exists()


def test_an_import_of_another_province_answers_as_missing(client, admin_hanoi, admin_hue, run_hanoi, learner_hanoi):
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes([person(2)]))
    client.force_login(admin_hue)
    for name in ("detail", "progress", "report"):
        assert client.get(reverse(f"rosters:{name}", args=[roster_import.id])).status_code == 404
    assert client.post(reverse("rosters:confirm", args=[roster_import.id])).status_code == 404
    client.force_login(learner_hanoi)
    assert client.get(reverse("rosters:home")).status_code == 404


def test_a_malformed_file_is_refused_on_upload_and_changes_nothing(client, admin_hanoi, run_hanoi):
    client.force_login(admin_hanoi)
    before = world()
    for name, data in (
        ("roster.xlsx", b"%PDF-1.4 this is a PDF"),
        ("roster.csv", csv_bytes([["An", "x"]], header=["Họ và tên", "Email"])),
        ("roster.xlsx", b"PK\x03\x04 truncated"),
    ):
        response = client.post(reverse("rosters:upload", args=[run_hanoi.id]), {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
    assert not RosterImport.objects.exists()
    assert world() == before


def test_the_report_lists_every_row_with_its_outcome_and_reason(client, admin_hanoi, run_hanoi):
    rows = [person(2), person(3, email="bad"), person(4, name="=2+3")]
    roster_import = imported(checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows)))
    client.force_login(admin_hanoi)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("rosters:report", args=[roster_import.id]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == (
        "Row",
        "Full name",
        "Email",
        "Mobile number",
        "Commune of today",
        "Province",
        "Outcome",
        "Reason",
    )
    assert table[1][:2] == (2, "Nguyễn Thị Hằng 2") and table[1][4] == "Phường Hoàn Kiếm"
    assert table[1][6] == "New account, enrolled"
    assert table[2][6] == "Refused" and "“bad” is not a valid email address." == table[2][7]
    assert table[3][1] == "'=2+3"


def test_the_pages_run_a_bounded_number_of_queries(
    client, admin_hanoi, run_hanoi, split_commune, django_assert_max_num_queries
):
    rows = [person(n) for n in range(2, 80)] + [
        person(n, commune="Xã Thử Nghiệm", district="Huyện Thử") for n in range(80, 120)
    ]
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows))
    client.force_login(admin_hanoi)
    for name, args in (("home", []), ("detail", [roster_import.id]), ("progress", [roster_import.id])):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(f"rosters:{name}", args=args)).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client.get(reverse("rosters:detail", args=[roster_import.id]), {"outcome": "decide", "page": 1}).status_code
            == 200
        )


def test_one_account_named_by_two_rows_is_the_same_person_twice(admin_hanoi, run_hanoi, learner_hanoi):
    User.objects.filter(id=learner_hanoi.id).update(phone="+84912345678")
    rows = [person(2, email="learner.hanoi@example.vn"), person(3, email="khac@example.vn", phone="0912345678")]
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows))
    assert outcomes(roster_import) == {2: (Outcome.MATCH, ""), 3: (Outcome.REFUSED, "duplicate")}


def test_rows_the_enrolment_refuses_are_reported_one_by_one_and_leave_nothing_behind(admin_hanoi, run_hanoi):
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes([person(2), person(3)]))
    roster_confirm(roster_import=roster_import)
    # The course is withdrawn between the confirmation and the worker's turn: the batch fails, then each row.
    type(run_hanoi.course).objects.filter(id=run_hanoi.course_id).update(is_published=False)
    before = world()
    roster_import_run(roster_import_id=roster_import.id)
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert {row.number: (row.outcome, row.reason) for row in roster_import.rows.all()} == {
        2: (Outcome.REFUSED, "enrolment_refused"),
        3: (Outcome.REFUSED, "enrolment_refused"),
    }
    assert world() == before


def test_a_real_split_commune_of_ha_noi_is_flagged_with_its_communes_of_today(admin_hanoi, run_hanoi):
    split = (
        OldCommune.objects.filter(province_code="01")
        .annotate(parts=Count("successor_links"))
        .filter(parts__gt=1)
        .order_by("code")
        .first()
    )
    assert split is not None, "the test database holds the address mappings (tests/conftest.py)"
    successors = set(split.successor_links.values_list("commune_id", flat=True))
    rows = [person(2, commune=split.name, district=split.district_name, province=split.province_name)]
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows))
    row = roster_import.rows.get()
    assert (row.outcome, row.reason, row.commune_id) == (Outcome.DECIDE, "split", None)
    assert set(row.candidate_ids) == successors


def test_audience_groups_are_read_in_vietnamese_english_or_as_codes(admin_hanoi, run_hanoi):
    rows = [
        person(2, audience="Cán bộ, công chức, viên chức"),
        person(3, audience="civil servants and public employees"),
        person(4, audience="DIGITAL_TEAM"),
        person(5, audience="can bo, cong chuc, vien chuc"),
    ]
    roster_import = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes(rows))
    assert dict(roster_import.rows.values_list("number", "audience_group")) == {
        2: "civil_servant",
        3: "civil_servant",
        4: "digital_team",
        5: "civil_servant",
    }


def test_the_template_downloads_for_admins_only(client, admin_hanoi, learner_hanoi):
    client.force_login(admin_hanoi)
    response = client.get(reverse("rosters:template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Danh sách", "Nhóm đối tượng"]
    groups = [row[0] for row in workbook["Nhóm đối tượng"].iter_rows(min_row=2, values_only=True)]
    assert "Cán bộ, công chức, viên chức" in groups and len(groups) == 4
    client.force_login(learner_hanoi)
    assert client.get(reverse("rosters:template")).status_code == 404


def test_uploaded_files_are_deleted_a_week_after_their_check_and_the_import_stays(
    admin_hanoi, run_hanoi, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_FILES_KEEP_DAYS = 7
    data = csv_bytes([person(2)])
    done = imported(checked(by=admin_hanoi, run=run_hanoi, data=data))
    recent = checked(by=admin_hanoi, run=run_hanoi, data=csv_bytes([person(3)]))
    being_checked = roster_import_create(
        by=admin_hanoi, course_run=run_hanoi, file_name="dang-kiem-tra.csv", content=csv_bytes([person(4)])
    )
    week_ago = timezone.now() - dt.timedelta(days=8)
    RosterImport.objects.filter(id__in=[done.id, being_checked.id]).update(created_at=week_ago)
    stored = done.file.storage, done.file.name
    assert stored[0].exists(stored[1])

    with django_capture_on_commit_callbacks(execute=True):
        assert roster_files_expire() == 1
    assert roster_files_expire() == 0

    done.refresh_from_db()
    assert not done.file and not stored[0].exists(stored[1])
    assert done.rows.count() == 1 and done.status == RosterImport.Status.DONE
    # The check still to run keeps its file, and so does a file checked this week.
    assert RosterImport.objects.get(id=being_checked.id).file and RosterImport.objects.get(id=recent.id).file
    # The same file uploaded again is still recognised by its SHA-256.
    again = checked(by=admin_hanoi, run=run_hanoi, data=data)
    assert again.file_sha256 == done.file_sha256
