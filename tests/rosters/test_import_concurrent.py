"""Roster imports that race: two uploads of the same file imported at once, and the jobs run by a real worker."""

import time
from datetime import timedelta

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from courses.models import CourseRun
from courses.services.catalogue import course_enrolment_counts_refresh
from learners.models import Enrolment, LearnerProfile
from onetouch.models import User
from rosters.models import RosterImport, RosterRow
from rosters.services.import_rows import roster_import_run
from rosters.services.imports import (
    _LOCK_CLASS,
    roster_check,
    roster_confirm,
    roster_import_create,
    roster_imports_stalled_requeue,
)
from tests.factories import course_make, run_at_once
from tests.rosters.roster_files import csv_bytes, person


@pytest.fixture
def run_hanoi(province_hanoi) -> CourseRun:
    course = course_make(province=province_hanoi)
    return CourseRun.objects.create(course=course, title="Đợt 1", starts_on="2026-01-05", ends_on="2027-06-30")


def confirmed(*, by, run, data) -> RosterImport:
    roster_import = roster_import_create(by=by, course_run=run, file_name="danh-sach.csv", content=data)
    roster_check(roster_import_id=roster_import.id)
    roster_confirm(roster_import=roster_import)
    return roster_import


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_file_imported_at_once_create_each_person_once(admin_hanoi, run_hanoi):
    data = csv_bytes([person(n, phone=f"09123450{n:02d}") for n in range(2, 42)])
    first = confirmed(by=admin_hanoi, run=run_hanoi, data=data)
    second = confirmed(by=admin_hanoi, run=run_hanoi, data=data)
    imports = iter([first.id, second.id])
    _results, errors = run_at_once(lambda: roster_import_run(roster_import_id=next(imports)))
    assert errors == []
    learners = User.objects.filter(email__startswith="can.bo.")
    assert learners.count() == 40
    assert LearnerProfile.objects.filter(user__in=learners).count() == 40
    assert Enrolment.objects.filter(course=run_hanoi.course, learner__in=learners).count() == 40
    course_enrolment_counts_refresh()
    run_hanoi.course.refresh_from_db()
    assert run_hanoi.course.enrolment_count == 40
    # Every row of both files ends imported: created or enrolled by one, found already enrolled by the other.
    for roster_import in (first, second):
        roster_import.refresh_from_db()
        assert roster_import.status == RosterImport.Status.DONE
    rows = RosterRow.objects.filter(roster_import__in=[first, second])
    assert not rows.filter(outcome=RosterRow.Outcome.REFUSED).exists()
    assert rows.filter(outcome=RosterRow.Outcome.CREATE).count() == 40


def wait_for(roster_import: RosterImport, status: str, *, timeout: float = 60) -> RosterImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        roster_import.refresh_from_db()
        if roster_import.status == status:
            return roster_import
        time.sleep(0.2)
    raise AssertionError(f"still {roster_import.status}")


def test_the_page_uploads_checks_and_imports_through_a_real_worker(
    celery_worker_running, client, admin_hanoi, run_hanoi
):
    client.force_login(admin_hanoi)
    upload = SimpleUploadedFile("danh-sach.csv", csv_bytes([person(2), person(3, email="bad")]))
    response = client.post(reverse("rosters:upload", args=[run_hanoi.id]), {"file": upload})
    roster_import = RosterImport.objects.get()
    assert response.url == reverse("rosters:detail", args=[roster_import.id])
    wait_for(roster_import, RosterImport.Status.CHECKED)
    assert not User.objects.filter(email="can.bo.2@example.vn").exists()
    progress = client.get(reverse("rosters:progress", args=[roster_import.id])).json()
    assert progress == {"status": "checked", "done": 2, "total": 2, "finished": True}
    client.post(reverse("rosters:confirm", args=[roster_import.id]))
    wait_for(roster_import, RosterImport.Status.DONE)
    assert Enrolment.objects.filter(learner__email="can.bo.2@example.vn", course_run=run_hanoi).exists()
    assert roster_import.rows.get(number=3).outcome == RosterRow.Outcome.REFUSED


@pytest.mark.django_db
def test_a_second_job_for_an_import_already_running_does_nothing(admin_hanoi, run_hanoi):
    roster_import = confirmed(by=admin_hanoi, run=run_hanoi, data=csv_bytes([person(2)]))
    other = connection.settings_dict
    holder = psycopg2.connect(dbname=other["NAME"], user=other["USER"], host=other["HOST"], port=other["PORT"])
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, roster_import.id])
            assert cursor.fetchone() == (True,)
        roster_import_run(roster_import_id=roster_import.id)
        assert roster_import.rows.get().imported_at is None
        with holder.cursor() as cursor:
            # Released now: a closed connection's backend lets its locks go a moment later.
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, roster_import.id])
    finally:
        holder.close()
    roster_import_run(roster_import_id=roster_import.id)
    assert roster_import.rows.get().imported_at is not None


def test_a_check_whose_job_was_lost_is_queued_again_by_the_sweep(celery_worker_running, admin_hanoi, run_hanoi):
    lost = RosterImport(course_run=run_hanoi, created_by=admin_hanoi, file_name="a.csv", file_sha256="0" * 64)
    lost.file.save("roster", ContentFile(csv_bytes([person(2)])), save=True)
    recent = RosterImport(course_run=run_hanoi, created_by=admin_hanoi, file_name="b.csv", file_sha256="1" * 64)
    recent.file.save("roster", ContentFile(csv_bytes([person(3)])), save=True)
    RosterImport.objects.filter(id=lost.id).update(created_at=timezone.now() - timedelta(minutes=11))
    assert roster_imports_stalled_requeue() == 1
    wait_for(lost, RosterImport.Status.CHECKED)
    recent.refresh_from_db()
    assert recent.status == RosterImport.Status.CHECKING
