"""The back office of in-person days: trainers through their services, days shown and never edited there."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses.services.catalogue import course_run_update
from inperson.models import DayNotice, InPersonDay, Trainer
from inperson.services.days import day_cancel
from inperson.services.notices import day_notices_send
from inperson.services.seats import seat_take
from learners.services.enrolments import enrolment_create

pytestmark = pytest.mark.django_db


def test_back_office_makes_a_partner_trainer_a_trainer(back_office, partner_trainer, partner_post):
    response = back_office.post(
        reverse("admin:inperson_trainer_add"), {"user": partner_trainer.id, "partner": partner_post.id}
    )
    assert response.status_code == 302
    assert Trainer.objects.get().partner == partner_post


def test_back_office_offers_no_learner_as_a_trainer(back_office, learner_hanoi, partner_post):
    response = back_office.post(
        reverse("admin:inperson_trainer_add"), {"user": learner_hanoi.id, "partner": partner_post.id}
    )
    assert response.status_code == 200
    assert Trainer.objects.count() == 0


def test_trainer_kept_on_a_day_cannot_move_to_another_partner(back_office, day_hanoi, trainer_post, partner_telecom):
    """The day names the trainer for the postal service; moving them away is refused with the reason."""
    response = back_office.post(
        reverse("admin:inperson_trainer_change", args=[trainer_post.id]), {"partner": partner_telecom.id}
    )
    assert "remove them from those days first" in response.content.decode()
    assert Trainer.objects.get(id=trainer_post.id).partner_id == trainer_post.partner_id


def test_back_office_shows_days_and_their_history_read_only(back_office, day_hanoi):
    listing = back_office.get(reverse("admin:inperson_inpersonday_changelist"))
    page = back_office.get(reverse("admin:inperson_inpersonday_change", args=[day_hanoi.id]))
    assert listing.status_code == 200 and day_hanoi.venue_name in listing.content.decode()
    assert page.status_code == 200 and "Scheduled" in page.content.decode()
    assert back_office.get(reverse("admin:inperson_inpersonday_add")).status_code == 403


@pytest.mark.usefixtures("messages_in_english")
def test_run_dates_must_keep_its_day_inside(day_hanoi, run_hanoi, admin_hanoi):
    """Moving a run away from its in-person day is refused until the day moves; a cancelled day does not hold it."""
    later = run_hanoi.ends_on + dt.timedelta(days=60)
    with pytest.raises(ValidationError, match="must stay within the run's dates"):
        course_run_update(run=run_hanoi, title=run_hanoi.title, starts_on=later, ends_on=later)
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Dời đợt học")
    course_run_update(run=run_hanoi, title=run_hanoi.title, starts_on=later, ends_on=later)
    assert InPersonDay.objects.get(id=day_hanoi.id).is_cancelled


def test_back_office_shows_the_notices_and_whether_they_went_out(back_office, day_hanoi, course_hanoi, learner_hanoi):
    enrolment_create(learner=learner_hanoi, course=course_hanoi)
    seat_take(learner=learner_hanoi, day=day_hanoi)
    day_notices_send(now=day_hanoi.starts_at - dt.timedelta(days=1))
    notice = DayNotice.objects.get()

    listing = back_office.get(reverse("admin:inperson_daynotice_changelist") + "?sent_at__isempty=0")
    assert listing.status_code == 200 and str(learner_hanoi) in listing.content.decode()
    assert back_office.get(reverse("admin:inperson_daynotice_change", args=[notice.id])).status_code == 200
    assert back_office.get(reverse("admin:inperson_daynotice_add")).status_code == 403


def test_back_office_shows_attendance_and_its_corrections_read_only(back_office, day_open, admin_hanoi, binh):
    from inperson.models import Attendance
    from inperson.services.attendance import attendance_correct, attendance_tick

    attendance_tick(by=admin_hanoi, day=day_open, learner=binh)
    attendance_correct(by=admin_hanoi, day=day_open, learner=binh, present=False, reason="Đánh dấu nhầm")
    attendance = Attendance.objects.get()
    listing = back_office.get(reverse("admin:inperson_attendance_changelist"))
    page = back_office.get(reverse("admin:inperson_attendance_change", args=[attendance.id]))
    assert listing.status_code == 200 and "Nguyễn Văn Bình" in listing.content.decode()
    assert page.status_code == 200 and "Đánh dấu nhầm" in page.content.decode()
    assert back_office.get(reverse("admin:inperson_attendance_add")).status_code == 403
