"""Check-in, ticking and corrections: what is written (attendance and learning events) and what is refused."""

import datetime as dt
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inperson.models import Attendance, AttendanceCorrection
from inperson.services.attendance import (
    attendance_check_in,
    attendance_completions_record,
    attendance_correct,
    attendance_tick,
)
from inperson.services.days import day_cancel
from learners.models import LearningEvent
from onetouch.models import User
from tests.e2e.journeys import wait_until
from tests.factories import learner_make
from tests.inperson.checkin_setup import code_now, code_printed, course_completed, day_move

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("messages_in_english")]
Kind = LearningEvent.Kind


def written() -> tuple[int, int, int]:
    return (
        Attendance.objects.count(),
        LearningEvent.objects.filter(kind__contains="person").count(),
        (AttendanceCorrection.objects.count()),
    )


def kinds(learner) -> list[str]:
    in_person = [Kind.ATTENDED_IN_PERSON, Kind.COMPLETED_IN_PERSON, Kind.ATTENDANCE_WITHDRAWN]
    in_person.append(Kind.COMPLETED_IN_PERSON_WITHDRAWN)
    return list(
        LearningEvent.objects.filter(learner=learner, kind__in=in_person).order_by("id").values_list("kind", flat=True)
    )


def test_trainer_checks_a_learner_in_with_the_code_on_their_screen(day_open, partner_trainer, binh, course_hanoi):
    checked = attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    assert checked.created and checked.attendance.learner == binh and checked.attendance.present
    assert checked.attendance.method == Attendance.Method.SCANNED
    event = LearningEvent.objects.get(kind=Kind.ATTENDED_IN_PERSON)
    assert (event.learner, event.course, event.course_run_id) == (binh, course_hanoi, day_open.course_run_id)
    assert event.commune_id == binh.profile.commune_id
    assert kinds(binh) == [Kind.ATTENDED_IN_PERSON]


def test_printed_code_checks_in_all_day(day_hanoi, partner_trainer, cuc):
    """A printed code seen an hour and a half ago (a queued scan) is still the learner's code."""
    day = day_move(day_hanoi, starts_in=-dt.timedelta(minutes=50))
    seen = timezone.now() - dt.timedelta(minutes=100)
    checked = attendance_check_in(by=partner_trainer, day=day, code=code_printed(day, cuc), scanned_at=seen)
    assert checked.created and checked.attendance.learner == cuc


@pytest.mark.parametrize(
    ("make_code", "message"),
    [
        (lambda day, learner, other: "12345678", "not valid for this day"),
        (lambda day, learner, other: code_now(day, other), "not valid for this day"),
        (lambda day, learner, other: code_now(day, learner, timezone.now() - dt.timedelta(minutes=2)), "expired"),
        (lambda day, learner, other: "12ab", "8 digits"),
    ],
    ids=["forged", "learner-not-signed-up", "expired", "malformed"],
)
def test_bad_code_is_refused_and_nothing_is_written(day_open, partner_trainer, binh, commune_hanoi, make_code, message):
    outsider = learner_make(commune=commune_hanoi)
    with pytest.raises(ValidationError, match=message):
        attendance_check_in(by=partner_trainer, day=day_open, code=make_code(day_open, binh, outsider))
    assert written() == (0, 0, 0)


def test_code_of_another_day_is_refused(day_open, partner_trainer, binh):
    """The learner's own code, but for another day (rotating or printed), checks nobody in here."""

    class OtherDay:
        id = day_open.id + 1

    for code in (code_now(OtherDay, binh), code_printed(OtherDay, binh)):
        with pytest.raises(ValidationError, match="not valid for this day"):
            attendance_check_in(by=partner_trainer, day=day_open, code=code)
    assert written() == (0, 0, 0)


def test_code_shown_twice_counts_once(day_open, partner_trainer, binh):
    code = code_now(day_open, binh)
    first = attendance_check_in(by=partner_trainer, day=day_open, code=code)
    again = attendance_check_in(by=partner_trainer, day=day_open, code=code)
    assert first.created and not again.created and again.attendance == first.attendance
    assert written() == (1, 1, 0)


def test_queued_scan_sent_twice_counts_once(day_open, partner_trainer, binh):
    """The phone lost the answer and sends the same scan (same id) again, a minute later: one attendance."""
    seen = timezone.now() - dt.timedelta(minutes=5)
    code, scan_id = code_now(day_open, binh, seen), uuid.uuid4()
    first = attendance_check_in(by=partner_trainer, day=day_open, code=code, scanned_at=seen, scan_id=scan_id)
    again = attendance_check_in(by=partner_trainer, day=day_open, code=code, scanned_at=seen, scan_id=scan_id)
    assert first.created and not again.created and first.attendance.checked_in_at == seen
    assert written() == (1, 1, 0)


def test_queued_scan_is_accepted_the_next_morning_if_seen_during_the_day(day_hanoi, partner_trainer, binh):
    day = day_move(day_hanoi, starts_in=-dt.timedelta(hours=20))  # ended 17 hours ago
    seen = day.ends_at - dt.timedelta(minutes=30)
    checked = attendance_check_in(by=partner_trainer, day=day, code=code_now(day, binh, seen), scanned_at=seen)
    assert checked.created


@pytest.mark.parametrize(
    ("starts_in", "seen_after_now", "message"),
    [
        (dt.timedelta(hours=2), dt.timedelta(0), "open from"),  # before the window
        (-dt.timedelta(hours=5), dt.timedelta(0), "open from"),  # after the end
        (-dt.timedelta(hours=30), -dt.timedelta(hours=28), "more than a day"),  # queued, sent too late
        (-dt.timedelta(minutes=30), dt.timedelta(minutes=10), "in the future"),
    ],
    ids=["before", "after", "too-late", "future"],
)
def test_scan_outside_the_window_is_refused(day_hanoi, partner_trainer, binh, starts_in, seen_after_now, message):
    day = day_move(day_hanoi, starts_in=starts_in)
    seen = timezone.now() + seen_after_now
    with pytest.raises(ValidationError, match=message):
        attendance_check_in(by=partner_trainer, day=day, code=code_now(day, binh, seen), scanned_at=seen)
    assert written() == (0, 0, 0)


def test_cancelled_day_has_no_check_in(day_hanoi, admin_hanoi, partner_trainer, binh):
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Bão")
    day = day_move(day_hanoi, starts_in=-dt.timedelta(minutes=30))
    with pytest.raises(ValidationError, match="cancelled"):
        attendance_check_in(by=partner_trainer, day=day, code=code_now(day, binh))
    assert written() == (0, 0, 0)


@pytest.mark.parametrize("who", ["trainer_telecom", "learner_hanoi", "admin_hue"])
def test_only_the_days_trainer_or_its_admins_check_in(request, day_open, binh, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(ValidationError, match="may not check learners in"):
        attendance_check_in(by=user, day=day_open, code=code_now(day_open, binh))
    assert written() == (0, 0, 0)


def test_admin_of_the_day_may_check_in(day_open, admin_hanoi, binh):
    assert attendance_check_in(by=admin_hanoi, day=day_open, code=code_now(day_open, binh)).created


def test_ticking_during_the_day_counts_once(day_open, partner_trainer, binh):
    first = attendance_tick(by=partner_trainer, day=day_open, learner=binh)
    again = attendance_tick(by=partner_trainer, day=day_open, learner=binh)
    assert first.created and not again.created and first.attendance.method == Attendance.Method.TICKED
    assert written() == (1, 1, 0)


def test_ticking_is_refused_before_the_window_and_for_someone_not_signed_up(
    day_hanoi, partner_trainer, binh, commune_hanoi
):
    with pytest.raises(ValidationError, match="open from"):
        attendance_tick(by=partner_trainer, day=day_hanoi, learner=binh)
    day = day_move(day_hanoi, starts_in=-dt.timedelta(minutes=10))
    with pytest.raises(ValidationError, match="not signed up"):
        attendance_tick(by=partner_trainer, day=day, learner=learner_make(commune=commune_hanoi))
    assert written() == (0, 0, 0)


def test_a_partner_organisation_ticks_at_the_days_it_runs_only(
    day_open, partner_post, partner_telecom, ministry_staff, binh, cuc
):
    """Through its API key the organisation ticks as its trainers do; `by` is recorded, its rights do not count."""
    ticked = attendance_tick(by=ministry_staff, day=day_open, learner=binh, partner=partner_post)
    assert ticked.created and ticked.attendance.checked_in_by == ministry_staff
    with pytest.raises(ValidationError, match="may not check learners in"):
        attendance_tick(by=ministry_staff, day=day_open, learner=cuc, partner=partner_telecom)
    assert written() == (1, 1, 0)


def test_ticking_does_not_undo_an_admins_correction_to_absent(day_open, partner_trainer, admin_hanoi, binh):
    attendance_tick(by=partner_trainer, day=day_open, learner=binh)
    attendance_correct(by=admin_hanoi, day=day_open, learner=binh, present=False, reason="Quét nhầm")
    with pytest.raises(ValidationError, match="only an admin can correct it again"):
        attendance_tick(by=partner_trainer, day=day_open, learner=binh)
    assert not Attendance.objects.get(learner=binh).present


def test_a_correction_weighs_the_acting_requesters_rights_not_the_recorded_accounts(
    day_open, admin_hue, ministry_staff, binh
):
    """An API key of Huế (an unsaved requester) may not correct a Hà Nội day, though its maker may."""
    requester = User(role=User.Role.PROVINCIAL_ADMIN, scope_province_id=admin_hue.scope_province_id, is_active=True)
    with pytest.raises(ValidationError, match="may not correct"):
        attendance_correct(by=ministry_staff, acting=requester, day=day_open, learner=binh, present=True, reason="Ký")
    assert written() == (0, 0, 0)


def test_in_person_completion_is_written_at_check_in_when_already_completed(
    day_open, partner_trainer, binh, course_hanoi
):
    course_completed(binh, course_hanoi)
    attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    assert kinds(binh) == [Kind.ATTENDED_IN_PERSON, Kind.COMPLETED_IN_PERSON]
    assert attendance_completions_record() == 0
    assert kinds(binh) == [Kind.ATTENDED_IN_PERSON, Kind.COMPLETED_IN_PERSON]


def test_in_person_completion_is_written_once_by_the_sweep_when_completed_later(
    day_open, partner_trainer, binh, cuc, course_hanoi
):
    attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    assert attendance_completions_record() == 0
    course_completed(binh, course_hanoi)
    course_completed(cuc, course_hanoi)  # completed online, but never came: no in-person completion
    assert attendance_completions_record() == 1
    assert attendance_completions_record() == 0
    assert kinds(binh) == [Kind.ATTENDED_IN_PERSON, Kind.COMPLETED_IN_PERSON]
    assert kinds(cuc) == []
    assert Attendance.objects.get(learner=binh).completion_recorded_at is not None


def test_correction_needs_a_reason_and_an_admin(day_open, partner_trainer, admin_hanoi, admin_hue, binh):
    attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    with pytest.raises(ValidationError, match="Say why"):
        attendance_correct(by=admin_hanoi, day=day_open, learner=binh, present=False, reason="  ")
    for outsider in (partner_trainer, admin_hue):
        with pytest.raises(ValidationError, match="may not correct"):
            attendance_correct(by=outsider, day=day_open, learner=binh, present=False, reason="Nhầm người")
    assert written() == (1, 1, 0)


def test_correction_to_absent_takes_back_attendance_and_completion(
    day_open, partner_trainer, admin_hanoi, binh, course_hanoi
):
    course_completed(binh, course_hanoi)
    attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    correction = attendance_correct(by=admin_hanoi, day=day_open, learner=binh, present=False, reason="Quét nhầm")
    assert (correction.present_before, correction.present_after, correction.reason) == (True, False, "Quét nhầm")
    attendance = Attendance.objects.get(learner=binh)
    assert not attendance.present and attendance.completion_recorded_at is None
    assert kinds(binh) == [
        Kind.ATTENDED_IN_PERSON,
        Kind.COMPLETED_IN_PERSON,
        Kind.ATTENDANCE_WITHDRAWN,
        Kind.COMPLETED_IN_PERSON_WITHDRAWN,
    ]
    assert attendance_completions_record() == 0  # absent: the sweep does not give it back
    with pytest.raises(ValidationError, match="only an admin"):
        attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    with pytest.raises(ValidationError, match="already absent"):
        attendance_correct(by=admin_hanoi, day=day_open, learner=binh, present=False, reason="Lần nữa")


def test_correction_to_present_from_the_signed_sheet(day_hanoi, admin_hanoi, cuc, course_hanoi):
    """After the day, an admin records someone who signed the paper sheet; events follow, completion too."""
    day = day_move(day_hanoi, starts_in=-dt.timedelta(days=2))
    course_completed(cuc, course_hanoi)
    attendance_correct(by=admin_hanoi, day=day, learner=cuc, present=True, reason="Ký tên trên giấy")
    attendance = Attendance.objects.get(learner=cuc)
    assert attendance.present and attendance.method == Attendance.Method.SHEET
    assert kinds(cuc) == [Kind.ATTENDED_IN_PERSON, Kind.COMPLETED_IN_PERSON]
    assert AttendanceCorrection.objects.get().present_before is False


def test_beat_task_writes_the_completion_through_a_real_worker(
    celery_worker_running, day_open, partner_trainer, binh, course_hanoi
):
    """The beat's task, run twice by a worker, writes the late in-person completion once."""
    from django.conf import settings

    from inperson.tasks import attendance_completions_record as task

    entry = settings.CELERY_BEAT_SCHEDULE["inperson-attendance-completions-record"]
    assert entry["task"] == task.name and entry["schedule"] <= 60
    attendance_check_in(by=partner_trainer, day=day_open, code=code_now(day_open, binh))
    course_completed(binh, course_hanoi)
    task.delay()
    task.delay()
    wait_until(lambda: Attendance.objects.filter(completion_recorded_at__isnull=False).exists(), what="the completion")
    time.sleep(1)  # the second run, queued behind the first on the one worker, finds nothing owed
    assert kinds(binh) == [Kind.ATTENDED_IN_PERSON, Kind.COMPLETED_IN_PERSON]
