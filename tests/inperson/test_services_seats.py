"""Seats at an in-person day: only for the run's learners, the last seat to one, the waiting list in order."""

import datetime as dt
import queue
import time

import pytest
from django.core.exceptions import ValidationError

from inperson.models import DaySeat, InPersonDay
from inperson.services.days import day_cancel, day_change
from inperson.services.seats import seat_release, seat_take, seats_release_unenrolled
from learners.services.enrolments import enrolment_cancel, enrolment_create
from tests.factories import learner_make, run_at_once
from tests.inperson.test_services_days import current_fields

pytestmark = pytest.mark.usefixtures("messages_in_english")


def enrolled_learners(count: int, *, course, commune) -> list:
    learners = [learner_make(commune=commune) for _ in range(count)]
    for learner in learners:
        enrolment_create(learner=learner, course=course)
    return learners


def small_day(day: InPersonDay, admin, capacity: int) -> InPersonDay:
    return day_change(by=admin, day=day, **{**current_fields(day), "capacity": capacity})


def statuses(day: InPersonDay, learners: list) -> list[str]:
    by_learner = {seat.learner_id: seat.status for seat in day.seats.exclude(status=DaySeat.Status.CANCELLED)}
    return [by_learner.get(learner.id, "none") for learner in learners]


@pytest.mark.django_db
def test_enrolled_learner_signs_up_once(day_hanoi, course_hanoi, commune_hanoi):
    """A second click keeps the one seat."""
    (learner,) = enrolled_learners(1, course=course_hanoi, commune=commune_hanoi)
    first = seat_take(learner=learner, day=day_hanoi)
    second = seat_take(learner=learner, day=day_hanoi)
    assert first == second and first.status == DaySeat.Status.SIGNED_UP
    assert day_hanoi.seats.count() == 1


@pytest.mark.django_db
def test_learner_not_enrolled_in_the_run_is_refused(day_hanoi, learner_hanoi, course_hanoi):
    """Neither a stranger nor a learner who left the course may sign up."""
    with pytest.raises(ValidationError) as error:
        seat_take(learner=learner_hanoi, day=day_hanoi)
    assert error.value.messages == ["Only learners enrolled in this course run can sign up for its in-person day."]
    enrolment_create(learner=learner_hanoi, course=course_hanoi)
    enrolment_cancel(learner=learner_hanoi, course=course_hanoi)
    with pytest.raises(ValidationError):
        seat_take(learner=learner_hanoi, day=day_hanoi)
    assert day_hanoi.seats.count() == 0


@pytest.mark.django_db
def test_full_day_puts_the_next_learners_on_the_waiting_list(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    day = small_day(day_hanoi, admin_hanoi, 2)
    learners = enrolled_learners(4, course=course_hanoi, commune=commune_hanoi)
    for learner in learners:
        seat_take(learner=learner, day=day)
    assert statuses(day, learners) == ["signed_up", "signed_up", "waiting", "waiting"]


@pytest.mark.django_db
def test_cancelling_promotes_the_first_waiting_in_order(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    """Each freed seat goes to whoever waited longest; nobody is skipped."""
    day = small_day(day_hanoi, admin_hanoi, 1)
    learners = enrolled_learners(4, course=course_hanoi, commune=commune_hanoi)
    for learner in learners:
        seat_take(learner=learner, day=day)

    seat_release(learner=learners[0], day=day)
    assert statuses(day, learners) == ["none", "signed_up", "waiting", "waiting"]
    seat_release(learner=learners[1], day=day)
    assert statuses(day, learners) == ["none", "none", "signed_up", "waiting"]
    promoted = DaySeat.objects.filter(day=day, promoted_at__isnull=False).order_by("promoted_at")
    assert [seat.learner_id for seat in promoted] == [learners[1].id, learners[2].id]


@pytest.mark.django_db
def test_leaving_the_waiting_list_promotes_nobody(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    day = small_day(day_hanoi, admin_hanoi, 1)
    learners = enrolled_learners(3, course=course_hanoi, commune=commune_hanoi)
    for learner in learners:
        seat_take(learner=learner, day=day)
    seat_release(learner=learners[1], day=day)
    assert statuses(day, learners) == ["signed_up", "none", "waiting"]


@pytest.mark.django_db
def test_raising_the_capacity_promotes_the_waiting_in_order(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    day = small_day(day_hanoi, admin_hanoi, 1)
    learners = enrolled_learners(4, course=course_hanoi, commune=commune_hanoi)
    for learner in learners:
        seat_take(learner=learner, day=day)
    small_day(day, admin_hanoi, 3)
    assert statuses(day, learners) == ["signed_up", "signed_up", "signed_up", "waiting"]


@pytest.mark.django_db
def test_no_promotion_and_no_sign_up_once_the_day_started(
    day_hanoi, admin_hanoi, course_hanoi, commune_hanoi, monkeypatch
):
    """After the start a seat can no longer be released, and nobody waiting is sent to a day under way."""
    day = small_day(day_hanoi, admin_hanoi, 1)
    learners = enrolled_learners(3, course=course_hanoi, commune=commune_hanoi)
    for learner in learners[:2]:
        seat_take(learner=learner, day=day)
    started = day.starts_at + dt.timedelta(minutes=5)
    monkeypatch.setattr("django.utils.timezone.now", lambda: started)

    with pytest.raises(ValidationError) as error:
        seat_release(learner=learners[0], day=day)
    assert error.value.messages == ["This in-person day has started; your place can no longer be cancelled."]
    with pytest.raises(ValidationError) as error:
        seat_take(learner=learners[2], day=day)
    assert error.value.messages == ["This in-person day has started; sign-up is closed."]
    assert statuses(day, learners) == ["signed_up", "waiting", "none"]
    assert not day.seats.filter(promoted_at__isnull=False).exists()


@pytest.mark.django_db
def test_seat_is_kept_after_the_cancellation_deadline(day_hanoi, course_hanoi, commune_hanoi, monkeypatch):
    (learner,) = enrolled_learners(1, course=course_hanoi, commune=commune_hanoi)
    seat_take(learner=learner, day=day_hanoi)
    late = day_hanoi.cancellation_deadline + dt.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    with pytest.raises(ValidationError) as error:
        seat_release(learner=learner, day=day_hanoi)
    assert error.value.messages == ["The cancellation deadline has passed; please tell the organisers instead."]
    assert statuses(day_hanoi, [learner]) == ["signed_up"]


@pytest.mark.django_db
def test_cancelled_day_takes_no_sign_up(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    (learner,) = enrolled_learners(1, course=course_hanoi, commune=commune_hanoi)
    day_cancel(by=admin_hanoi, day=day_hanoi, reason="Mưa bão")
    with pytest.raises(ValidationError) as error:
        seat_take(learner=learner, day=day_hanoi)
    assert error.value.messages == ["This in-person day is cancelled."]
    assert day_hanoi.seats.count() == 0


@pytest.mark.django_db(transaction=True)
def test_last_seat_goes_to_exactly_one_of_two_simultaneous_learners(
    day_hanoi, admin_hanoi, course_hanoi, commune_hanoi
):
    """Two learners asking for the last seat at the same instant: one gets it, the other waits."""
    day = small_day(day_hanoi, admin_hanoi, 2)
    first, *racing = enrolled_learners(3, course=course_hanoi, commune=commune_hanoi)
    seat_take(learner=first, day=day)
    learners = queue.SimpleQueue()
    for learner in racing:
        learners.put(learner)

    results, errors = run_at_once(lambda: seat_take(learner=learners.get(), day=day), count=2)

    assert errors == []
    assert sorted(seat.status for seat in results) == ["signed_up", "waiting"]
    assert day.seats.filter(status=DaySeat.Status.SIGNED_UP).count() == 2


@pytest.mark.django_db(transaction=True)
def test_cancel_and_sign_up_at_once_never_overfill_the_day(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    """A cancellation racing a sign-up: the freed seat goes to exactly one learner, the day stays at capacity."""
    day = small_day(day_hanoi, admin_hanoi, 1)
    holder, waiting, newcomer = enrolled_learners(3, course=course_hanoi, commune=commune_hanoi)
    seat_take(learner=holder, day=day)
    seat_take(learner=waiting, day=day)
    actions = queue.SimpleQueue()
    actions.put(lambda: seat_release(learner=holder, day=day))
    actions.put(lambda: seat_take(learner=newcomer, day=day))

    _results, errors = run_at_once(lambda: actions.get()(), count=2)

    assert errors == []
    assert statuses(day, [holder, waiting, newcomer]) == ["none", "signed_up", "waiting"]


@pytest.mark.django_db
def test_learner_who_leaves_the_course_leaves_the_day_and_the_first_waiting_moves_up(
    day_hanoi, admin_hanoi, course_hanoi, commune_hanoi
):
    day = small_day(day_hanoi, admin_hanoi, 1)
    holder, first_waiting, second_waiting = enrolled_learners(3, course=course_hanoi, commune=commune_hanoi)
    for learner in (holder, first_waiting, second_waiting):
        seat_take(learner=learner, day=day)

    enrolment_cancel(learner=holder, course=course_hanoi)
    assert seats_release_unenrolled() == 1
    assert seats_release_unenrolled() == 0

    assert statuses(day, [holder, first_waiting, second_waiting]) == ["none", "signed_up", "waiting"]


@pytest.mark.django_db
def test_learner_who_left_while_waiting_is_never_promoted(day_hanoi, admin_hanoi, course_hanoi, commune_hanoi):
    """A freed seat skips a waiting learner who has left the course and goes to the next one still enrolled."""
    day = small_day(day_hanoi, admin_hanoi, 1)
    holder, gone, next_one = enrolled_learners(3, course=course_hanoi, commune=commune_hanoi)
    for learner in (holder, gone, next_one):
        seat_take(learner=learner, day=day)
    enrolment_cancel(learner=gone, course=course_hanoi)

    seat_release(learner=holder, day=day)

    assert statuses(day, [holder, gone, next_one]) == ["none", "waiting", "signed_up"]
    seats_release_unenrolled()
    assert statuses(day, [holder, gone, next_one]) == ["none", "none", "signed_up"]


@pytest.mark.django_db
def test_leaving_after_the_day_started_keeps_the_seat(day_hanoi, course_hanoi, commune_hanoi, monkeypatch):
    """Once the day is under way its seats are its record: leaving the course then changes none."""
    (learner,) = enrolled_learners(1, course=course_hanoi, commune=commune_hanoi)
    seat_take(learner=learner, day=day_hanoi)
    enrolment_cancel(learner=learner, course=course_hanoi)
    started = day_hanoi.starts_at + dt.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: started)

    assert seats_release_unenrolled() == 0
    assert statuses(day_hanoi, [learner]) == ["signed_up"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_releases_the_seat_of_a_learner_who_left(
    celery_worker_running, day_hanoi, admin_hanoi, course_hanoi, commune_hanoi
):
    """The beat's task, run by a real worker, frees the seat and promotes the first waiting."""
    from inperson.tasks import seats_release_unenrolled as seats_release_unenrolled_task

    day = small_day(day_hanoi, admin_hanoi, 1)
    holder, waiting = enrolled_learners(2, course=course_hanoi, commune=commune_hanoi)
    seat_take(learner=holder, day=day)
    seat_take(learner=waiting, day=day)
    enrolment_cancel(learner=holder, course=course_hanoi)

    seats_release_unenrolled_task.delay()

    deadline = time.monotonic() + 20
    while statuses(day, [holder, waiting]) != ["none", "signed_up"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert statuses(day, [holder, waiting]) == ["none", "signed_up"]
