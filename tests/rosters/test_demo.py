"""The demo's roster: the Hà Nội admin's officials imported through the services, every kind of row, once."""

import pytest
from django.urls import reverse

from courses.demo.catalogue import demo_catalogue_load
from inperson.demo.days import demo_in_person_days_load
from learners.demo.accounts import demo_accounts_load
from learners.models import Enrolment
from onetouch.models import AudienceGroup, Invitation, User
from rosters.demo.imports import DEMO_OFFICIALS, demo_roster_load
from rosters.models import RosterImport, RosterRow
from rosters.selectors.addresses import SPLIT, address_resolve
from rosters.services.import_rows import roster_import_run
from rosters.services.imports import roster_check
from tests.factories import learner_make

pytestmark = pytest.mark.django_db
Outcome = RosterRow.Outcome


@pytest.fixture
def demo_loaded(address_mappings, commune_hanoi):
    """The catalogue, the demo logins and the in-person days as `make run` loads them, and one of the crowd."""
    demo_catalogue_load(with_media=False)
    demo_accounts_load()
    demo_in_person_days_load()
    return learner_make(
        commune=commune_hanoi, audience_group=AudienceGroup.CIVIL_SERVANT, email="hocvien-001@demo.onetouch.vn"
    )


def snapshot() -> tuple:
    return (
        list(RosterImport.objects.values_list("id", "status", "rows_total", "rows_done")),
        list(RosterRow.objects.order_by("id").values_list("id", "outcome", "reason", "user_id", "commune_id")),
        User.objects.count(),
        Enrolment.objects.count(),
        Invitation.objects.count(),
    )


def test_demo_roster_has_every_kind_of_row_and_loading_twice_changes_nothing(demo_loaded):
    crowd_learner = demo_loaded
    roster_import = demo_roster_load()
    before = snapshot()

    assert demo_roster_load() == roster_import
    # The jobs its services queued after the commit find the import done.
    roster_check(roster_import_id=roster_import.id)
    roster_import_run(roster_import_id=roster_import.id)
    assert snapshot() == before

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert roster_import.created_by.email == "quantri.hanoi@demo.onetouch.vn"
    assert roster_import.course_run.course.slug == "chuyen-doi-so-xa-ha-noi"
    assert roster_import.rows_total == len(DEMO_OFFICIALS) + 1
    rows = {row.full_name: row for row in roster_import.rows.select_related("user", "commune")}
    created = [row for row in rows.values() if row.outcome == Outcome.CREATE]
    assert len(created) == len(DEMO_OFFICIALS) - 1
    for row in created:
        assert not row.user.is_active and row.user.enrolments.get().course_run == roster_import.course_run
        assert row.user.profile.audience_group == AudienceGroup.CIVIL_SERVANT
    # Phone-only officials are invited by SMS, the others by email.
    channels = dict(Invitation.objects.values_list("user__full_name", "channel"))
    assert channels["Hoàng Minh Đức"] == Invitation.Channel.SMS
    assert channels["Đỗ Thị Thu Trang"] == Invitation.Channel.EMAIL
    assert len(channels) == len(created)

    matched = rows[crowd_learner.full_name]
    assert matched.outcome == Outcome.MATCH and matched.user == crowd_learner
    assert User.objects.filter(email=crowd_learner.email).count() == 1

    refused = [row for row in rows.values() if row.outcome == Outcome.REFUSED]
    assert [(row.full_name, row.reason) for row in refused] == [("Phan Thị Ngọc Ánh", "bad_phone")]

    # Phường Hàng Trống (Quận Hoàn Kiếm) was split: the admin chose Phường Hoàn Kiếm for both its rows.
    split_rows = [row for row in rows.values() if "Hàng Trống" in row.commune_text]
    assert len(split_rows) == 2
    for row in split_rows:
        match = address_resolve(province=row.province_text, district=row.district_text, commune=row.commune_text)
        assert match.problem == SPLIT and len(match.candidate_ids) > 1
        assert row.commune.name == "Phường Hoàn Kiếm" and row.outcome == Outcome.CREATE
    # Old-style addresses were converted to the communes of today.
    assert rows["Bùi Văn Hải"].commune.name == "Xã Đông Anh"
    assert rows["Ngô Thị Hạnh"].commune.name == "Xã Phù Đổng"


def test_demo_roster_reads_on_the_admins_page(demo_loaded, client):
    roster_import = demo_roster_load()
    client.force_login(User.objects.get(email="quantri.hanoi@demo.onetouch.vn"))

    page = client.get(reverse("rosters:detail", args=[roster_import.id]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Nguyễn Thị Thanh Hương" in text and "Phan Thị Ngọc Ánh" in text
    assert roster_import.file_name in client.get(reverse("rosters:home")).content.decode()


def test_demo_roster_without_the_crowd_still_imports(address_mappings):
    demo_catalogue_load(with_media=False)
    demo_accounts_load()

    roster_import = demo_roster_load()

    assert roster_import.rows_total == len(DEMO_OFFICIALS)
    assert not roster_import.rows.filter(outcome=Outcome.MATCH).exists()
