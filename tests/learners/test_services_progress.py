"""Lesson progress writes: opening a lesson, heartbeats (merging, forging, wall time), completion."""

import time

import pytest
from django.core.exceptions import ValidationError

from courses.models import Course, Lesson
from courses.services.structure import module_create
from learners.models import LearningEvent, LessonProgress
from learners.progress import HeartbeatForbidden, HeartbeatRefused, heartbeat_token_make
from learners.services.enrolments import enrolment_cancel, enrolment_create
from learners.services.progress import (
    heartbeat_record,
    lesson_complete_manually,
    lesson_progress_open,
    slides_page_view_record,
)
from tests.factories import course_make, lesson_make, seconds_pass, snapshot, video_lesson_make

pytestmark = pytest.mark.django_db


def token_for(progress: LessonProgress, *, issued_seconds_ago: float = 0.0) -> str:
    """Return the token the lesson page would have embedded, issued that long ago."""
    return heartbeat_token_make(
        progress_id=progress.id,
        learner_id=progress.learner_id,
        lesson_id=progress.lesson_id,
        duration=progress.lesson.duration_seconds,
        issued_at=time.time() - issued_seconds_ago,
    )


@pytest.fixture
def video_course(learner_hanoi):
    course = course_make(title="Thanh toán trực tuyến")
    enrolment_create(learner=learner_hanoi, course=course)
    return course


@pytest.fixture
def video_progress(video_course, learner_hanoi) -> LessonProgress:
    lesson = video_lesson_make(course=video_course, duration=600.0)
    return lesson_progress_open(learner=learner_hanoi, lesson=lesson)


def completions(learner) -> int:
    return LearningEvent.objects.filter(learner=learner, kind=LearningEvent.Kind.LESSON_COMPLETED).count()


# --- Opening --------------------------------------------------------------------------------------


def test_opening_a_lesson_twice_keeps_one_progress_row(video_course, learner_hanoi):
    """The first open creates the row; the second returns it."""
    lesson = video_lesson_make(course=video_course)
    first = lesson_progress_open(learner=learner_hanoi, lesson=lesson)
    second = lesson_progress_open(learner=learner_hanoi, lesson=lesson)
    assert first.id == second.id
    assert LessonProgress.objects.filter(learner=learner_hanoi, lesson=lesson).count() == 1


def test_opening_needs_an_active_enrolment(learner_hue):
    """A learner not enrolled in the course gets no progress row."""
    lesson = video_lesson_make(course=course_make())
    with pytest.raises(ValidationError):
        lesson_progress_open(learner=learner_hue, lesson=lesson)
    assert not LessonProgress.objects.exists()


# --- Heartbeats -----------------------------------------------------------------------------------


def test_honest_watching_in_several_heartbeats_completes_once(video_progress, learner_hanoi):
    """Ten-minute video watched in 60 s heartbeats completes at 90 % with the end reached, one event."""
    token = token_for(video_progress, issued_seconds_ago=60)
    for start in range(0, 600, 60):
        result = heartbeat_record(token=token, intervals=[[start, start + 60]], position=start + 60)
        seconds_pass(video_progress, 60)
        if start + 60 < 600:
            assert not result.is_complete
    assert result.is_complete
    video_progress.refresh_from_db()
    assert video_progress.watched_intervals == [[0.0, 600.0]]
    assert video_progress.watched_seconds == 600.0
    assert video_progress.completed_at is not None
    assert completions(learner_hanoi) == 1

    heartbeat_record(token=token, intervals=[[0, 30]], position=30)
    assert completions(learner_hanoi) == 1


def test_completion_event_carries_lesson_course_and_learner_place(video_progress, learner_hanoi):
    """The LESSON_COMPLETED event names the lesson and the learner's province, commune and group."""
    token = token_for(video_progress, issued_seconds_ago=600)
    heartbeat_record(token=token, intervals=[[0, 600]], position=600)
    event = LearningEvent.objects.get(kind=LearningEvent.Kind.LESSON_COMPLETED)
    assert event.lesson_id == video_progress.lesson_id
    assert event.course_id == video_progress.lesson.course_id
    assert event.province_id == learner_hanoi.profile.province_id
    assert event.commune_id == learner_hanoi.profile.commune_id
    assert event.audience_group == learner_hanoi.profile.audience_group


def test_one_full_interval_right_after_opening_does_not_complete(video_progress, learner_hanoi):
    """Posting [0, duration] seconds after the page opened claims more than wall time allows."""
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatRefused):
        heartbeat_record(token=token_for(video_progress), intervals=[[0, 600]], position=600)
    assert snapshot(video_progress) == before
    assert completions(learner_hanoi) == 0


def test_reopening_the_page_the_next_day_does_not_lend_yesterday_s_time(video_progress, learner_hanoi):
    """A day-old last heartbeat does not let a freshly opened page claim the whole video."""
    heartbeat_record(token=token_for(video_progress, issued_seconds_ago=20), intervals=[[0, 20]], position=20)
    seconds_pass(video_progress, 24 * 3600)
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatRefused):
        heartbeat_record(token=token_for(video_progress), intervals=[[20, 600]], position=600)
    assert snapshot(video_progress) == before


def test_seeking_to_the_end_does_not_complete(video_progress, learner_hanoi):
    """Watching only the last seconds, however long ago the page opened, completes nothing."""
    result = heartbeat_record(
        token=token_for(video_progress, issued_seconds_ago=3600), intervals=[[590, 600]], position=600
    )
    assert not result.is_complete
    video_progress.refresh_from_db()
    assert video_progress.completed_at is None
    assert completions(learner_hanoi) == 0


@pytest.mark.parametrize(
    "intervals",
    [[[0, 700]], [[-5, 10]], [[10, 5]], [["0", "10"]], "0-10", [[0, 10, 20]]],
    ids=["beyond-duration", "negative", "backwards", "strings", "not-a-list", "triple"],
)
def test_forged_or_malformed_intervals_are_refused_and_change_nothing(video_progress, intervals):
    """Intervals beyond the duration, negative, backwards or malformed are refused; nothing changes."""
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatRefused):
        heartbeat_record(token=token_for(video_progress, issued_seconds_ago=3600), intervals=intervals, position=5)
    assert snapshot(video_progress) == before


def test_token_of_another_learner_or_lesson_is_refused(video_course, video_progress, learner_hanoi, learner_hue):
    """A token naming this row with another learner's or another lesson's id is refused."""
    other_lesson = video_lesson_make(course=video_course)
    before = snapshot(video_progress)
    for forged in (
        heartbeat_token_make(
            progress_id=video_progress.id,
            learner_id=learner_hue.id,
            lesson_id=video_progress.lesson_id,
            duration=600.0,
            issued_at=0,
        ),
        heartbeat_token_make(
            progress_id=video_progress.id,
            learner_id=learner_hanoi.id,
            lesson_id=other_lesson.id,
            duration=600.0,
            issued_at=0,
        ),
    ):
        with pytest.raises(HeartbeatForbidden):
            heartbeat_record(token=forged, intervals=[[0, 10]], position=10)
    assert snapshot(video_progress) == before


def test_heartbeat_after_leaving_the_course_is_refused(video_course, video_progress, learner_hanoi):
    """Once the learner leaves the course, the page's token no longer records anything."""
    token = token_for(video_progress, issued_seconds_ago=60)
    enrolment_cancel(learner=learner_hanoi, course=video_course)
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatForbidden):
        heartbeat_record(token=token, intervals=[[0, 10]], position=10)
    assert snapshot(video_progress) == before


def test_heartbeat_for_a_reprocessed_video_is_refused(video_progress):
    """A token for the video as it was (another duration) is refused until the page is reloaded."""
    token = token_for(video_progress, issued_seconds_ago=60)
    Lesson.objects.filter(id=video_progress.lesson_id).update(duration_seconds=300.0)
    with pytest.raises(HeartbeatForbidden):
        heartbeat_record(token=token, intervals=[[0, 10]], position=10)


def test_heartbeat_saves_resume_position(video_progress):
    """The position a heartbeat reports is where the player resumes."""
    heartbeat_record(token=token_for(video_progress, issued_seconds_ago=130), intervals=[[0, 120]], position=120.5)
    video_progress.refresh_from_db()
    assert video_progress.position_seconds == 120.5


def test_empty_report_keeps_the_saved_position(video_progress):
    """A report with no intervals and no position (the page hidden before playing) keeps the resume point."""
    heartbeat_record(token=token_for(video_progress, issued_seconds_ago=130), intervals=[[0, 120]], position=120)
    heartbeat_record(token=token_for(video_progress), intervals=[])
    video_progress.refresh_from_db()
    assert video_progress.position_seconds == 120.0


# --- Slides, text, documents --------------------------------------------------------------------------


def test_slides_complete_after_every_page_was_viewed(video_course, learner_hanoi):
    """A three-page deck completes when pages 1, 2 and 3 were all viewed, in any order."""
    lesson = lesson_make(course=video_course, kind=Lesson.Kind.SLIDES, page_count=3, media_prefix="lessons/x/run/")
    progress = lesson_progress_open(learner=learner_hanoi, lesson=lesson)
    slides_page_view_record(progress=progress, page=1)
    token = token_for(progress)
    assert not heartbeat_record(token=token, pages=[3]).is_complete
    with pytest.raises(HeartbeatRefused):
        heartbeat_record(token=token, pages=[4])
    assert heartbeat_record(token=token, pages=[2]).is_complete
    progress.refresh_from_db()
    assert progress.pages_viewed == [1, 2, 3]
    assert progress.completed_at is not None
    assert completions(learner_hanoi) == 1


def test_text_lesson_completes_when_marked_read_once(video_course, learner_hanoi):
    """Marking a text lesson read twice completes it once, with one event."""
    lesson = lesson_make(course=video_course, kind=Lesson.Kind.TEXT, body_html="<p>Nội dung</p>")
    lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    progress = lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    assert progress.completed_at is not None
    assert completions(learner_hanoi) == 1


def test_video_cannot_be_marked_complete_by_hand(video_course, learner_hanoi):
    """A video completes only by watching it."""
    lesson = video_lesson_make(course=video_course)
    with pytest.raises(ValidationError):
        lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    assert completions(learner_hanoi) == 0


def test_draft_lesson_cannot_be_completed(video_course, learner_hanoi):
    """A lesson learners do not see yet cannot be completed."""
    lesson = lesson_make(course=video_course, kind=Lesson.Kind.TEXT, body_html="<p>Nháp</p>", is_published=False)
    with pytest.raises(ValidationError):
        lesson_complete_manually(learner=learner_hanoi, lesson=lesson)
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


def test_lesson_in_order_cannot_be_completed_before_earlier_required_ones(learner_hanoi):
    """In a course taken in order, a later text lesson stays incomplete until the earlier one is done."""
    course = course_make()
    Course.objects.filter(id=course.id).update(requires_order=True)
    course.refresh_from_db()
    enrolment_create(learner=learner_hanoi, course=course)
    module = module_create(course=course, title="Phần 1")
    first = lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, body_html="<p>Một</p>")
    second = lesson_make(course=course, module=module, kind=Lesson.Kind.TEXT, body_html="<p>Hai</p>")

    with pytest.raises(ValidationError):
        lesson_complete_manually(learner=learner_hanoi, lesson=second)
    assert not LessonProgress.objects.filter(lesson=second, completed_at__isnull=False).exists()

    lesson_complete_manually(learner=learner_hanoi, lesson=first)
    assert lesson_complete_manually(learner=learner_hanoi, lesson=second).completed_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_heartbeats_lose_no_interval(learner_hanoi):
    """Two windows reporting at the same instant both get their intervals merged in."""
    import threading

    from django.db import connection

    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    progress = lesson_progress_open(learner=learner_hanoi, lesson=video_lesson_make(course=course, duration=600.0))
    token = token_for(progress, issued_seconds_ago=120)
    errors = []

    def report(barrier: threading.Barrier, interval: list[float]) -> None:
        try:
            barrier.wait(timeout=5)
            heartbeat_record(token=token, intervals=[interval], position=interval[1])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # Five races of two short intervals each (the second write of a race comes an instant after the
    # first, within the wall-time slack).
    for start in range(0, 500, 100):
        barrier = threading.Barrier(2)
        pairs = ([float(start), start + 2.0], [start + 50.0, start + 52.0])
        threads = [threading.Thread(target=report, args=(barrier, pair)) for pair in pairs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    progress.refresh_from_db()
    assert len(progress.watched_intervals) == 10
    assert progress.watched_seconds == 20.0
