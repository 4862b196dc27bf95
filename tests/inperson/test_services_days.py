"""Scheduling, changing and cancelling a run's in-person day: the rules, the scope and the history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats

from courses.services.catalogue import course_run_create
from inperson.models import DayChange, DaySeat, InPersonDay
from inperson.services.days import day_cancel, day_change, day_schedule
from tests.factories import learner_make
from tests.inperson.conftest import at, day_fields

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("messages_in_english")]


def current_fields(day: InPersonDay) -> dict:
    """The day's fields as day_change takes them, to change one at a time."""
    return {
        "province": day.province,
        "venue_name": day.venue_name,
        "venue_address": day.venue_address,
        "venue_commune": day.venue_commune,
        "starts_at": day.starts_at,
        "ends_at": day.ends_at,
        "capacity": day.capacity,
        "cancellation_deadline": day.cancellation_deadline,
        "partners": list(day.partners.all()),
        "trainers": list(day.trainers.all()),
    }


def snapshot(day: InPersonDay) -> tuple:
    day = InPersonDay.objects.get(id=day.id)
    return (
        day.venue_name,
        day.venue_commune_id,
        day.starts_at,
        day.ends_at,
        day.capacity,
        day.cancelled_at,
        sorted(day.partners.values_list("id", flat=True)),
        sorted(day.trainers.values_list("id", flat=True)),
        day.changes.count(),
    )


def test_owner_admin_schedules_a_day_with_its_partner_and_trainer(day_hanoi, admin_hanoi, province_hanoi):
    """The Hà Nội admin schedules a day held in Hà Nội; the history says who scheduled it."""
    assert day_hanoi.province == province_hanoi
    assert day_hanoi.created_by == admin_hanoi
    assert [change.kind for change in day_hanoi.changes.all()] == [DayChange.Kind.SCHEDULED]
    assert day_hanoi.changes.get().tells_learners is False


def test_database_refuses_a_second_day_for_a_run(day_hanoi, admin_hanoi):
    """Even written past the services, a run holds one day only."""
    copy = InPersonDay.objects.get(id=day_hanoi.id)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert InPersonDay.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"capacity": 0}, "in_person_day_has_capacity"),
        ({"ends_at": at(dt.date(2027, 1, 1), 7)}, "in_person_day_ends_after_start"),
        ({"cancellation_deadline": at(dt.date(2027, 1, 1), 9)}, "in_person_day_deadline_before_start"),
        ({"cancel_reason": "Mưa bão"}, "in_person_day_cancelled_with_reason"),
    ],
)
def test_database_refuses_a_day_breaking_its_own_rules(day_hanoi, changes, constraint):
    """What one row can check holds in the database too."""
    fields = {"starts_at": at(dt.date(2027, 1, 1), 8), "ends_at": at(dt.date(2027, 1, 1), 11)}
    fields["cancellation_deadline"] = fields["starts_at"]
    fields.update(changes)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        InPersonDay.objects.filter(id=day_hanoi.id).update(**fields)


def test_second_day_for_a_run_is_refused(day_hanoi, admin_hanoi, run_hanoi, commune_hanoi):
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run_hanoi, **day_fields(run_hanoi, commune_hanoi))
    assert error.value.messages == ["This course run already has its in-person day; change that day instead."]
    assert InPersonDay.objects.count() == 1


def test_database_refusal_of_a_second_day_reads_as_the_same_message(
    day_hanoi, admin_hanoi, run_hanoi, commune_hanoi, monkeypatch
):
    """A writer that missed the first day (no check before saving) still meets the database and its message."""
    answers = iter([False, True])  # missed before saving; found once the database refused the row
    monkeypatch.setattr("inperson.services.days.run_has_day", lambda run: next(answers))
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run_hanoi, **day_fields(run_hanoi, commune_hanoi))
    assert error.value.messages == ["This course run already has its in-person day; change that day instead."]
    assert InPersonDay.objects.count() == 1 and DayChange.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"starts_at_days": 60},
            "starts_at",
            "The day must fall within the run's dates, ",
        ),
        ({"capacity": 0}, "capacity", "The capacity must be at least 1."),
        ({"ends_at_hour": 7}, "ends_at", "The day must end after it starts."),
        ({"ends_at_days": 1}, "ends_at", "The day must start and end on the same calendar day."),
        (
            {"deadline_hour": 9},
            "cancellation_deadline",
            "The cancellation deadline must be no later than the start of the day.",
        ),
        ({"venue_name": "  "}, "venue_name", "Give the name of the venue."),
        ({"venue_address": ""}, "venue_address", "Give the address of the venue."),
    ],
)
def test_bad_schedule_is_refused_with_its_message(admin_hanoi, run_hanoi, commune_hanoi, changes, field, message):
    """Each bad input names its field and its reason, and no day is written."""
    day = run_hanoi.starts_on + dt.timedelta(days=5 + changes.pop("starts_at_days", 0))
    fields = day_fields(run_hanoi, commune_hanoi, starts_at=at(day, 8), ends_at=at(day, 11))
    fields["cancellation_deadline"] = at(day, 7)
    if "ends_at_hour" in changes:
        fields["ends_at"] = at(day, changes.pop("ends_at_hour"))
    if "ends_at_days" in changes:
        fields["ends_at"] = at(day + dt.timedelta(days=changes.pop("ends_at_days")), 9)
    if "deadline_hour" in changes:
        fields["cancellation_deadline"] = at(day, changes.pop("deadline_hour"))
    fields.update(changes)

    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run_hanoi, **fields)

    assert error.value.message_dict[field][0].startswith(message)
    assert InPersonDay.objects.count() == 0
    assert DayChange.objects.count() == 0


def test_day_outside_the_run_names_the_run_dates(admin_hanoi, run_hanoi, commune_hanoi):
    day = run_hanoi.ends_on + dt.timedelta(days=1)
    fields = day_fields(run_hanoi, commune_hanoi, starts_at=at(day, 8), ends_at=at(day, 11))
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run_hanoi, **fields)
    start, end = (formats.date_format(d) for d in (run_hanoi.starts_on, run_hanoi.ends_on))
    assert start.endswith(str(run_hanoi.starts_on.year))
    assert error.value.message_dict["starts_at"] == [f"The day must fall within the run's dates, {start} to {end}."]


def test_day_in_the_past_is_refused(admin_hanoi, course_hanoi, commune_hanoi):
    """A run that began last week takes no day before now."""
    today = dt.date.today()
    run = course_run_create(
        course=course_hanoi,
        title="Đợt cũ",
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=7),
    )
    past = today - dt.timedelta(days=2)
    fields = day_fields(run, commune_hanoi, starts_at=at(past, 8), ends_at=at(past, 11))
    fields["cancellation_deadline"] = fields["starts_at"]
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run, **fields)
    assert error.value.message_dict["starts_at"] == ["The day must start in the future."]
    assert InPersonDay.objects.count() == 0


def test_venue_commune_in_another_province_is_refused(admin_hanoi, run_hanoi, commune_hanoi, commune_hue):
    fields = day_fields(run_hanoi, commune_hanoi, venue_commune=commune_hue)
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run_hanoi, **fields)
    assert error.value.message_dict["venue_commune"] == [
        "The venue's commune must be in Thành phố Hà Nội, where the day is held."
    ]
    assert InPersonDay.objects.count() == 0


def test_trainer_of_a_partner_not_on_the_day_is_refused(
    admin_hanoi, run_hanoi, commune_hanoi, partner_post, trainer_telecom
):
    fields = day_fields(run_hanoi, commune_hanoi)
    with pytest.raises(ValidationError) as error:
        day_schedule(
            by=admin_hanoi, course_run=run_hanoi, partners=[partner_post], trainers=[trainer_telecom], **fields
        )
    assert error.value.message_dict["trainers"] == [
        "Giảng viên Viettel teaches for Viettel, which is not among the day's partners."
    ]
    assert InPersonDay.objects.count() == 0


def test_admin_of_another_province_may_not_schedule(admin_hue, run_hanoi, commune_hanoi):
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hue, course_run=run_hanoi, **day_fields(run_hanoi, commune_hanoi))
    assert error.value.messages == ["You may not change the in-person day of this course."]
    assert InPersonDay.objects.count() == 0


def test_provincial_admin_may_not_schedule_a_national_course(admin_hanoi, run_national, commune_hanoi):
    with pytest.raises(ValidationError) as error:
        day_schedule(by=admin_hanoi, course_run=run_national, **day_fields(run_national, commune_hanoi))
    assert error.value.messages == ["You may not change the in-person day of this course."]
    assert InPersonDay.objects.count() == 0


def test_learner_and_trainer_may_not_schedule(learner_hanoi, partner_trainer, run_hanoi, commune_hanoi):
    for user in (learner_hanoi, partner_trainer):
        with pytest.raises(ValidationError):
            day_schedule(by=user, course_run=run_hanoi, **day_fields(run_hanoi, commune_hanoi))
    assert InPersonDay.objects.count() == 0


def test_ministry_chooses_the_province_of_a_national_course(ministry_staff, run_national, commune_hue, province_hue):
    day = day_schedule(by=ministry_staff, course_run=run_national, **day_fields(run_national, commune_hue))
    assert day.province == province_hue


def test_national_course_needs_a_province(ministry_staff, run_national, commune_hue):
    with pytest.raises(ValidationError) as error:
        day_schedule(by=ministry_staff, course_run=run_national, **day_fields(run_national, commune_hue, province=None))
    assert error.value.message_dict["province"] == ["Choose the province where the day is held."]
    assert InPersonDay.objects.count() == 0


def test_provincial_course_day_stays_in_its_province(ministry_staff, run_hanoi, commune_hue, province_hue):
    """Even the ministry holds a Hà Nội course's day in Hà Nội."""
    with pytest.raises(ValidationError) as error:
        day_schedule(by=ministry_staff, course_run=run_hanoi, **day_fields(run_hanoi, commune_hue))
    assert error.value.message_dict["province"] == [
        "The day of a provincial course is held in the course's own province."
    ]
    assert InPersonDay.objects.count() == 0


def test_changing_the_date_records_what_changed_for_the_learners(day_hanoi, admin_hanoi):
    """A new date is kept in the history with the old value, to be told to everyone signed up."""
    fields = current_fields(day_hanoi)
    old_start = day_hanoi.starts_at
    fields["starts_at"] = old_start + dt.timedelta(hours=1)
    fields["ends_at"] = day_hanoi.ends_at + dt.timedelta(hours=1)

    day_change(by=admin_hanoi, day=day_hanoi, reason="Đổi giờ", **fields)

    change = day_hanoi.changes.get(kind=DayChange.Kind.CHANGED)
    assert change.changed_fields == ["ends_at", "starts_at"]
    assert change.previous_values["starts_at"] == old_start.isoformat()
    assert change.tells_learners is True
    assert change.reason == "Đổi giờ"
    assert change.by == admin_hanoi


def test_changing_the_venue_tells_learners_and_the_capacity_does_not(day_hanoi, admin_hanoi):
    fields = current_fields(day_hanoi)
    day_change(by=admin_hanoi, day=day_hanoi, **{**fields, "capacity": 40})
    day_change(by=admin_hanoi, day=day_hanoi, **{**fields, "capacity": 40, "venue_name": "Nhà văn hóa"})

    capacity_change, venue_change = day_hanoi.changes.filter(kind=DayChange.Kind.CHANGED).order_by("id")
    assert (capacity_change.changed_fields, capacity_change.tells_learners) == (["capacity"], False)
    assert (venue_change.changed_fields, venue_change.tells_learners) == (["venue_name"], True)


def test_saving_without_a_change_adds_no_history(day_hanoi, admin_hanoi):
    day_change(by=admin_hanoi, day=day_hanoi, **current_fields(day_hanoi))
    assert day_hanoi.changes.count() == 1


def test_capacity_below_the_learners_signed_up_is_refused(day_hanoi, admin_hanoi, learner_hanoi, commune_hanoi):
    for _ in range(3):
        DaySeat.objects.create(
            day=day_hanoi, learner=learner_make(commune=commune_hanoi), status=DaySeat.Status.SIGNED_UP
        )
    before = snapshot(day_hanoi)
    with pytest.raises(ValidationError) as error:
        day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 2})
    assert error.value.message_dict["capacity"] == ["The capacity cannot be below the 3 learners already signed up."]
    assert snapshot(day_hanoi) == before


def test_bad_change_leaves_the_day_as_it_was(day_hanoi, admin_hanoi, commune_hue):
    before = snapshot(day_hanoi)
    with pytest.raises(ValidationError):
        day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "venue_commune": commune_hue})
    assert snapshot(day_hanoi) == before


def test_admin_of_another_province_may_not_change_or_cancel(day_hanoi, admin_hue):
    before = snapshot(day_hanoi)
    with pytest.raises(ValidationError):
        day_change(by=admin_hue, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 99})
    with pytest.raises(ValidationError):
        day_cancel(by=admin_hue, day=day_hanoi, reason="Không")
    assert snapshot(day_hanoi) == before


def test_cancelling_keeps_the_day_and_its_history(day_hanoi, admin_hanoi):
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Mưa bão")

    day = InPersonDay.objects.get(id=day_hanoi.id)
    assert day.is_cancelled and day.cancel_reason == "Mưa bão"
    change = day.changes.get(kind=DayChange.Kind.CANCELLED)
    assert (change.reason, change.tells_learners, change.by) == ("Mưa bão", True, admin_hanoi)


def test_cancelling_needs_a_reason(day_hanoi, admin_hanoi):
    before = snapshot(day_hanoi)
    with pytest.raises(ValidationError) as error:
        day_cancel(by=admin_hanoi, day=day_hanoi, reason="  ")
    assert error.value.message_dict["reason"] == [
        "Give the reason for cancelling: the learners signed up will read it."
    ]
    assert snapshot(day_hanoi) == before


def test_cancelled_day_can_no_longer_be_changed_or_cancelled(day_hanoi, admin_hanoi):
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Mưa bão")
    before = snapshot(day_hanoi)
    with pytest.raises(ValidationError) as error:
        day_change(by=admin_hanoi, day=day_hanoi, **{**current_fields(day_hanoi), "capacity": 99})
    assert error.value.messages == ["This in-person day is cancelled; it can no longer be changed."]
    with pytest.raises(ValidationError):
        day_cancel(by=admin_hanoi, day=day_hanoi, reason="Lần nữa")
    assert snapshot(day_hanoi) == before


def test_started_day_can_no_longer_be_changed(day_hanoi, admin_hanoi, monkeypatch):
    started = day_hanoi.starts_at + dt.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: started)
    with pytest.raises(ValidationError) as error:
        day_cancel(by=admin_hanoi, day=day_hanoi, reason="Muộn")
    assert error.value.messages == ["This in-person day has started; it can no longer be changed."]
    assert not InPersonDay.objects.get(id=day_hanoi.id).is_cancelled
