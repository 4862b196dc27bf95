"""Enrolment: one click, idempotent, recorded as an event in the same transaction, counted by the periodic recount."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from courses.models import Course
from courses.services.catalogue import course_enrolment_counts_refresh, course_run_create
from learners.models import Enrolment, LearningEvent
from learners.services.enrolments import enrolment_cancel, enrolment_create
from tests.factories import course_make, run_at_once


def event_kinds(learner) -> list[str]:
    return list(LearningEvent.objects.filter(learner=learner).order_by("id").values_list("kind", flat=True))


@pytest.mark.django_db
def test_enrolment_records_event_with_learner_place_at_that_moment(learner_hanoi, commune_hanoi):
    """The events carry the learner's province, commune and audience group; the first enrolment also says "joined"."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)

    events = LearningEvent.objects.filter(learner=learner_hanoi).order_by("id")
    assert [event.kind for event in events] == [LearningEvent.Kind.ENROLLED, LearningEvent.Kind.LEARNER_JOINED]
    for event in events:
        assert (event.province_id, event.commune_id, event.audience_group, event.course_id) == (
            commune_hanoi.province_id,
            commune_hanoi.id,
            "public",
            course.id,
        )
    course.refresh_from_db()
    assert course.enrolment_count == 0  # the course's row is not written: the periodic recount counts
    assert course_enrolment_counts_refresh() == 1
    assert Course.objects.get(id=course.id).enrolment_count == 1


@pytest.mark.django_db
def test_second_enrolment_keeps_one_row_and_one_event(learner_hanoi):
    """Enrolling twice leaves one enrolment, one "enrolled" event and a count of one."""
    course = course_make()
    first = enrolment_create(learner=learner_hanoi, course=course)
    second = enrolment_create(learner=learner_hanoi, course=course)

    assert first.id == second.id
    assert event_kinds(learner_hanoi) == ["enrolled", "learner_joined"]
    course_enrolment_counts_refresh()
    assert Course.objects.get(id=course.id).enrolment_count == 1


@pytest.mark.django_db
def test_cancel_then_enrol_again_reuses_the_row(learner_hanoi):
    """Leaving and coming back keeps one enrolment row with the full history of events."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    course_enrolment_counts_refresh()
    enrolment_cancel(learner=learner_hanoi, course=course)
    course_enrolment_counts_refresh()
    assert Course.objects.get(id=course.id).enrolment_count == 0
    enrolment_create(learner=learner_hanoi, course=course)
    course_enrolment_counts_refresh()

    assert Enrolment.objects.filter(learner=learner_hanoi, course=course, is_active=True).count() == 1
    assert event_kinds(learner_hanoi) == ["enrolled", "learner_joined", "unenrolled", "enrolled"]
    assert Course.objects.get(id=course.id).enrolment_count == 1


@pytest.mark.django_db
def test_unpublished_course_refuses_enrolment(learner_hanoi):
    """A draft course cannot be joined and nothing is written."""
    course = course_make(is_published=False)
    with pytest.raises(ValidationError):
        enrolment_create(learner=learner_hanoi, course=course)
    assert not Enrolment.objects.exists()
    assert not LearningEvent.objects.exists()


@pytest.mark.django_db
def test_enrolment_joins_the_open_run_and_closed_runs_refuse(learner_hanoi, learner_hue):
    """A course with runs enrols into the earliest run not yet ended; when all ended, refuses."""
    today = timezone.localdate()
    course = course_make()
    course_run_create(
        course=course, title="Đợt cũ", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=30)
    )
    current = course_run_create(
        course=course, title="Đợt này", starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30)
    )
    assert enrolment_create(learner=learner_hanoi, course=course).course_run == current

    closed = course_make()
    course_run_create(
        course=closed, title="Đã xong", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        enrolment_create(learner=learner_hue, course=closed)
    assert not Enrolment.objects.filter(course=closed).exists()


@pytest.mark.django_db
def test_rolled_back_enrolment_leaves_no_event(learner_hanoi):
    """The event is written in the enrolment's transaction: a rollback removes both."""
    course = course_make()
    with pytest.raises(RuntimeError), transaction.atomic():
        enrolment_create(learner=learner_hanoi, course=course)
        raise RuntimeError("the request failed after enrolling")
    assert not Enrolment.objects.exists()
    assert not LearningEvent.objects.exists()


@pytest.mark.django_db
def test_enrolment_count_refresh_repairs_drift(learner_hanoi, learner_hue):
    """The periodic recount sets every course's count from the enrolment rows."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_create(learner=learner_hue, course=course)
    Course.objects.filter(id=course.id).update(enrolment_count=999)

    assert course_enrolment_counts_refresh() == 1
    assert Course.objects.get(id=course.id).enrolment_count == 2
    assert course_enrolment_counts_refresh() == 0


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_enrolments_give_one_row(learner_hanoi):
    """Two requests enrolling at the same instant make one enrolment, one of each event, a count of one."""
    course = course_make()
    _results, errors = run_at_once(lambda: enrolment_create(learner=learner_hanoi, course=course))

    assert errors == []
    assert Enrolment.objects.filter(learner=learner_hanoi, course=course).count() == 1
    assert event_kinds(learner_hanoi) == ["enrolled", "learner_joined"]


@pytest.mark.django_db
def test_first_enrolment_says_the_learner_joined_and_later_ones_do_not(learner_hanoi):
    """Only the very first enrolment writes "learner_joined"; another course or coming back does not."""
    first, second = course_make(), course_make()

    enrolment_create(learner=learner_hanoi, course=first)
    enrolment_create(learner=learner_hanoi, course=second)
    enrolment_cancel(learner=learner_hanoi, course=first)
    enrolment_create(learner=learner_hanoi, course=first)

    joined = LearningEvent.objects.filter(learner=learner_hanoi, kind=LearningEvent.Kind.LEARNER_JOINED)
    assert list(joined.values_list("course_id", flat=True)) == [first.id]
    assert event_kinds(learner_hanoi) == ["enrolled", "learner_joined", "enrolled", "unenrolled", "enrolled"]


@pytest.mark.django_db
def test_re_enrolling_after_cancelling_the_only_enrolment_does_not_join_again(learner_hanoi):
    """A learner who left their only course and comes back is not a new learner."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    enrolment_cancel(learner=learner_hanoi, course=course)

    enrolment_create(learner=learner_hanoi, course=course)

    assert event_kinds(learner_hanoi).count("learner_joined") == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_first_enrolments_in_two_courses_join_once(learner_hanoi):
    """A learner enrolling in two courses at the same instant is one new learner, not two."""
    courses = iter([course_make(), course_make()])
    lock = threading.Lock()

    def enrol_in_the_next_course() -> Enrolment:
        with lock:
            course = next(courses)
        return enrolment_create(learner=learner_hanoi, course=course)

    _results, errors = run_at_once(enrol_in_the_next_course)

    assert errors == []
    assert Enrolment.objects.filter(learner=learner_hanoi, is_active=True).count() == 2
    kinds = event_kinds(learner_hanoi)
    assert kinds.count("enrolled") == 2
    assert kinds.count("learner_joined") == 1


@pytest.mark.django_db
def test_the_recount_command_counts_at_once(learner_hanoi):
    """`manage.py refresh_enrolment_counts` (the demo's start) recounts as the periodic job does."""
    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)

    call_command("refresh_enrolment_counts", stdout=StringIO())

    assert Course.objects.get(id=course.id).enrolment_count == 1
