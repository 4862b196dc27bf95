"""Lesson progress writes: opening a lesson, heartbeats (merging, forging, the watch allowance, the
session), slides shown long enough, text and documents read long enough, completion."""

import time
from importlib import import_module

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from courses.models import Course, Lesson
from courses.services.structure import module_create
from learners.models import LearningEvent, LessonProgress
from learners.pure.progress import HeartbeatForbidden, HeartbeatRefused, heartbeat_token_make
from learners.services.enrolments import enrolment_cancel, enrolment_create
from learners.services.progress import (
    document_download_record,
    heartbeat_record,
    lesson_complete_manually,
    lesson_progress_open,
    slides_page_view_record,
)
from tests.factories import course_make, lesson_make, seconds_pass, snapshot, video_lesson_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_for(session_key):
    def make(progress: LessonProgress) -> str:
        """Return the token the lesson page would have embedded in that session."""
        return heartbeat_token_make(
            progress_id=progress.id,
            learner_id=progress.learner_id,
            lesson_id=progress.lesson_id,
            duration=progress.lesson.duration_seconds,
            session_key=session_key,
        )

    return make


@pytest.fixture(params=["page's token", "answer's token"])
def beat(request, session_key):
    """Send reports as a client that keeps its page's token, or as the player, which sends each
    report with the token of the last answer (the row's state, so the report needs no read): every
    rule below holds both ways."""
    follows_answers = request.param == "answer's token"
    latest: dict[str, str] = {}

    def send(token: str, **report):
        """Send a report with the session cookie of the page that embedded the token."""
        sent = latest.get(token, token) if follows_answers else token
        result = heartbeat_record(token=sent, session_key=session_key, **report)
        if result.token:
            latest[token] = result.token
        return result

    return send


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


def test_honest_watching_in_several_heartbeats_completes_once(video_progress, learner_hanoi, token_for, beat):
    """Ten-minute video watched in 60 s heartbeats, a minute apart, completes at 90 % with the end reached, once."""
    token = token_for(video_progress)
    for start in range(0, 600, 60):
        seconds_pass(video_progress, 60)
        result = beat(token, intervals=[[start, start + 60]], position=start + 60)
        if start + 60 < 600:
            assert not result.is_complete
    assert result.is_complete
    video_progress.refresh_from_db()
    assert video_progress.watched_intervals == [[0.0, 600.0]]
    assert video_progress.watched_seconds == 600.0
    assert video_progress.completed_at is not None
    assert completions(learner_hanoi) == 1

    beat(token, intervals=[[0, 30]], position=30)
    assert completions(learner_hanoi) == 1


def test_completion_event_carries_lesson_course_and_learner_place(video_progress, learner_hanoi, token_for, beat):
    """The LESSON_COMPLETED event names the lesson and the learner's province, commune and group."""
    seconds_pass(video_progress, 600)
    beat(token_for(video_progress), intervals=[[0, 600]], position=600)
    event = LearningEvent.objects.get(kind=LearningEvent.Kind.LESSON_COMPLETED)
    assert event.lesson_id == video_progress.lesson_id
    assert event.course_id == video_progress.lesson.course_id
    assert event.province_id == learner_hanoi.profile.province_id
    assert event.commune_id == learner_hanoi.profile.commune_id
    assert event.audience_group == learner_hanoi.profile.audience_group


def test_one_full_interval_right_after_opening_does_not_complete(video_progress, learner_hanoi, token_for, beat):
    """Posting [0, duration] seconds after the page opened claims more than wall time allows."""
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatRefused):
        beat(token_for(video_progress), intervals=[[0, 600]], position=600)
    assert snapshot(video_progress) == before
    assert completions(learner_hanoi) == 0


def test_a_burst_of_heartbeats_cannot_complete_a_long_video_early(video_progress, learner_hanoi, token_for, beat):
    """120 heartbeats of 5 s each, sent as fast as possible, add up to no more than the time allows.

    Each one alone fits the slack; in all they claim ten minutes within seconds of the page opening.
    """
    token = token_for(video_progress)
    started = time.monotonic()
    refused = 0
    for start in range(0, 600, 5):
        try:
            beat(token, intervals=[[start, start + 5]], position=start + 5)
        except HeartbeatRefused:
            refused += 1
    elapsed = time.monotonic() - started

    video_progress.refresh_from_db()
    assert video_progress.completed_at is None
    assert completions(learner_hanoi) == 0
    assert video_progress.watched_seconds <= 5.0 + 2 * (elapsed + 1)
    assert refused >= 100


def test_reopening_the_page_many_times_adds_no_slack(video_course, video_progress, learner_hanoi, token_for, beat):
    """Opening the page again before each heartbeat does not grant the slack again."""
    lesson = video_progress.lesson
    for start in range(0, 100, 5):
        lesson_progress_open(learner=learner_hanoi, lesson=lesson)
        try:
            beat(token_for(video_progress), intervals=[[start, start + 5]], position=start + 5)
        except HeartbeatRefused:
            pass
    video_progress.refresh_from_db()
    assert video_progress.watched_seconds <= 10.0


def test_reopening_the_page_the_next_day_does_not_lend_yesterday_s_time(video_progress, learner_hanoi, token_for, beat):
    """A day later the allowance restarts from what was watched: the rest of the video cannot be claimed at once."""
    seconds_pass(video_progress, 20)
    beat(token_for(video_progress), intervals=[[0, 20]], position=20)
    seconds_pass(video_progress, 24 * 3600)
    reopened = lesson_progress_open(learner=learner_hanoi, lesson=video_progress.lesson)
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatRefused):
        beat(token_for(reopened), intervals=[[20, 600]], position=600)
    assert snapshot(video_progress) == before
    # What was watched yesterday stays, and today's minute of watching is accepted.
    seconds_pass(video_progress, 30)
    assert beat(token_for(reopened), intervals=[[20, 80]], position=80).watched_seconds == 80.0


def test_seeking_to_the_end_does_not_complete(video_progress, learner_hanoi, token_for, beat):
    """Watching only the last seconds, however long ago the page opened, completes nothing."""
    seconds_pass(video_progress, 3600)
    result = beat(token_for(video_progress), intervals=[[590, 600]], position=600)
    assert not result.is_complete
    video_progress.refresh_from_db()
    assert video_progress.completed_at is None
    assert completions(learner_hanoi) == 0


@pytest.mark.parametrize(
    "intervals",
    [[[0, 700]], [[-5, 10]], [[10, 5]], [["0", "10"]], "0-10", [[0, 10, 20]]],
    ids=["beyond-duration", "negative", "backwards", "strings", "not-a-list", "triple"],
)
def test_forged_or_malformed_intervals_are_refused_and_change_nothing(video_progress, token_for, beat, intervals):
    """Intervals beyond the duration, negative, backwards or malformed are refused; nothing changes."""
    seconds_pass(video_progress, 3600)
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatRefused):
        beat(token_for(video_progress), intervals=intervals, position=5)
    assert snapshot(video_progress) == before


def test_token_of_another_learner_or_lesson_is_refused(
    video_course, video_progress, learner_hanoi, learner_hue, session_key, beat
):
    """A token naming this row with another learner's or another lesson's id is refused."""
    other_lesson = video_lesson_make(course=video_course)
    seconds_pass(video_progress, 3600)
    before = snapshot(video_progress)
    for learner_id, lesson_id in ((learner_hue.id, video_progress.lesson_id), (learner_hanoi.id, other_lesson.id)):
        forged = heartbeat_token_make(
            progress_id=video_progress.id,
            learner_id=learner_id,
            lesson_id=lesson_id,
            duration=600.0,
            session_key=session_key,
        )
        with pytest.raises(HeartbeatForbidden):
            beat(forged, intervals=[[0, 10]], position=10)
    assert snapshot(video_progress) == before


def test_token_is_refused_with_another_session_or_once_its_session_ended(video_progress, token_for, session_key):
    """The token holds only with the session cookie it was issued under, and only while that session is open."""
    token = token_for(video_progress)
    seconds_pass(video_progress, 60)
    before = snapshot(video_progress)
    other = import_module(settings.SESSION_ENGINE).SessionStore()
    other.create()
    for cookie in (other.session_key, None, ""):
        with pytest.raises(HeartbeatForbidden):
            heartbeat_record(token=token, session_key=cookie, intervals=[[0, 10]], position=10)
    import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()  # what signing out does
    with pytest.raises(HeartbeatForbidden):
        heartbeat_record(token=token, session_key=session_key, intervals=[[0, 10]], position=10)
    assert snapshot(video_progress) == before


def test_heartbeat_after_leaving_the_course_is_refused(video_course, video_progress, learner_hanoi, token_for, beat):
    """Once the learner leaves the course, the page's token no longer records anything."""
    token = token_for(video_progress)
    seconds_pass(video_progress, 60)
    enrolment_cancel(learner=learner_hanoi, course=video_course)
    before = snapshot(video_progress)
    with pytest.raises(HeartbeatForbidden):
        beat(token, intervals=[[0, 10]], position=10)
    assert snapshot(video_progress) == before


def test_heartbeat_for_a_reprocessed_video_is_refused(video_progress, token_for, beat):
    """A token for the video as it was (another duration) is refused until the page is reloaded."""
    token = token_for(video_progress)
    seconds_pass(video_progress, 60)
    Lesson.objects.filter(id=video_progress.lesson_id).update(duration_seconds=300.0)
    with pytest.raises(HeartbeatForbidden):
        beat(token, intervals=[[0, 10]], position=10)


def test_heartbeat_saves_resume_position(video_progress, token_for, beat):
    """The position a heartbeat reports is where the player resumes."""
    seconds_pass(video_progress, 130)
    beat(token_for(video_progress), intervals=[[0, 120]], position=120.5)
    video_progress.refresh_from_db()
    assert video_progress.position_seconds == 120.5


def test_empty_report_keeps_the_saved_position(video_progress, token_for, beat):
    """A report with no intervals and no position (the page hidden before playing) keeps the resume point."""
    seconds_pass(video_progress, 130)
    beat(token_for(video_progress), intervals=[[0, 120]], position=120)
    beat(token_for(video_progress), intervals=[])
    video_progress.refresh_from_db()
    assert video_progress.position_seconds == 120.0


# --- Slides, text, documents --------------------------------------------------------------------------


@pytest.fixture
def slides_progress(video_course, learner_hanoi) -> LessonProgress:
    """A three-page deck whose page 1 the lesson page has just shown."""
    lesson = lesson_make(course=video_course, kind=Lesson.Kind.SLIDES, page_count=3, media_prefix="lessons/x/run/")
    progress = lesson_progress_open(learner=learner_hanoi, lesson=lesson)
    slides_page_view_record(progress=progress, page=1)
    return progress


def test_slides_complete_after_every_page_stayed_on_screen(slides_progress, learner_hanoi, token_for, beat):
    """Pages 1, 3, 2 each shown three seconds, then page 2 reported again, complete the deck once."""
    token = token_for(slides_progress)
    seconds_pass(slides_progress, 3)
    assert beat(token, page=3).pages_viewed == [1]
    with pytest.raises(HeartbeatRefused):
        beat(token, page=4)
    seconds_pass(slides_progress, 3)
    assert not beat(token, page=2).is_complete
    seconds_pass(slides_progress, 3)
    assert beat(token, page=2).is_complete
    slides_progress.refresh_from_db()
    assert slides_progress.pages_viewed == [1, 2, 3]
    assert slides_progress.completed_at is not None
    assert completions(learner_hanoi) == 1


def test_paging_through_slides_too_fast_completes_nothing(slides_progress, learner_hanoi, token_for, beat):
    """Every page reported in turn within a second, twice over, counts no page."""
    token = token_for(slides_progress)
    for page in (2, 3, 1, 2, 3, 3):
        beat(token, page=page)
    slides_progress.refresh_from_db()
    assert slides_progress.pages_viewed == []
    assert slides_progress.completed_at is None
    assert completions(learner_hanoi) == 0


def test_one_report_listing_every_page_is_refused(slides_progress, token_for, beat):
    """A report naming all the pages at once is malformed and changes nothing."""
    seconds_pass(slides_progress, 60)
    before = snapshot(slides_progress)
    with pytest.raises(HeartbeatRefused):
        beat(token_for(slides_progress), page=[1, 2, 3])
    assert snapshot(slides_progress) == before


@pytest.fixture
def text_lesson(video_course) -> Lesson:
    """A text of 400 words: two minutes at 200 words a minute, so one minute must pass before "read"."""
    return lesson_make(course=video_course, kind=Lesson.Kind.TEXT, body_html="<p>" + "chữ " * 400 + "</p>")


def test_text_cannot_be_marked_read_before_half_its_reading_time(text_lesson, learner_hanoi):
    """Marked read just after opening: refused with how long to wait, and nothing changed."""
    progress = lesson_progress_open(learner=learner_hanoi, lesson=text_lesson)
    before = snapshot(progress)
    with pytest.raises(ValidationError) as refusal:
        lesson_complete_manually(learner=learner_hanoi, lesson=text_lesson)
    assert "60 seconds" in refusal.value.messages[0] or "60 giây" in refusal.value.messages[0]
    assert snapshot(progress) == before
    assert completions(learner_hanoi) == 0


def test_text_cannot_be_marked_read_without_being_opened(text_lesson, learner_hanoi):
    """Marking a lesson read that was never opened is refused and leaves no row."""
    with pytest.raises(ValidationError):
        lesson_complete_manually(learner=learner_hanoi, lesson=text_lesson)
    assert not LessonProgress.objects.filter(lesson=text_lesson).exists()


def test_text_lesson_completes_when_marked_read_once_its_time_has_passed(text_lesson, learner_hanoi):
    """A minute after opening, marking the text read twice completes it once, with one event."""
    progress = lesson_progress_open(learner=learner_hanoi, lesson=text_lesson)
    seconds_pass(progress, 60)
    lesson_complete_manually(learner=learner_hanoi, lesson=text_lesson)
    progress = lesson_complete_manually(learner=learner_hanoi, lesson=text_lesson)
    assert progress.completed_at is not None
    assert completions(learner_hanoi) == 1


def test_reading_time_counts_from_the_first_opening(text_lesson, learner_hanoi):
    """Opening the text again does not restart its reading time."""
    progress = lesson_progress_open(learner=learner_hanoi, lesson=text_lesson)
    seconds_pass(progress, 60)
    lesson_progress_open(learner=learner_hanoi, lesson=text_lesson)
    assert lesson_complete_manually(learner=learner_hanoi, lesson=text_lesson).completed_at is not None


@pytest.fixture
def document_lesson(video_course) -> Lesson:
    """A document its author expects to take four minutes: two must pass before "read"."""
    return lesson_make(course=video_course, kind=Lesson.Kind.DOCUMENT, estimated_minutes=4)


def test_document_needs_its_download_and_half_its_reading_time(document_lesson, learner_hanoi):
    """Not downloaded, or downloaded a moment ago: refused and nothing changed; two minutes later: complete."""
    progress = lesson_progress_open(learner=learner_hanoi, lesson=document_lesson)
    seconds_pass(progress, 3600)
    before = snapshot(progress)
    with pytest.raises(ValidationError):
        lesson_complete_manually(learner=learner_hanoi, lesson=document_lesson)
    assert snapshot(progress) == before

    fresh = lesson_make(course=document_lesson.course, kind=Lesson.Kind.DOCUMENT, estimated_minutes=4)
    opened = document_download_record(learner=learner_hanoi, lesson=fresh)
    seconds_pass(opened, 119)
    before = snapshot(opened)
    with pytest.raises(ValidationError):
        lesson_complete_manually(learner=learner_hanoi, lesson=fresh)
    assert snapshot(opened) == before

    seconds_pass(opened, 1)
    assert lesson_complete_manually(learner=learner_hanoi, lesson=fresh).completed_at is not None
    assert completions(learner_hanoi) == 1


def test_downloading_a_document_completes_nothing(document_lesson, learner_hanoi):
    """However long ago it was opened, a download alone does not complete the document."""
    progress = lesson_progress_open(learner=learner_hanoi, lesson=document_lesson)
    seconds_pass(progress, 3600)
    document_download_record(learner=learner_hanoi, lesson=document_lesson)
    progress.refresh_from_db()
    assert progress.downloaded_at is not None and progress.completed_at is None
    assert completions(learner_hanoi) == 0


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
def test_two_simultaneous_heartbeats_lose_no_interval(learner_hanoi, token_for, beat):
    """Two windows reporting at the same instant both get their intervals merged in."""
    import threading

    from django.db import connection

    course = course_make()
    enrolment_create(learner=learner_hanoi, course=course)
    progress = lesson_progress_open(learner=learner_hanoi, lesson=video_lesson_make(course=course, duration=600.0))
    seconds_pass(progress, 120)
    token = token_for(progress)
    errors = []

    def report(barrier: threading.Barrier, interval: list[float]) -> None:
        try:
            barrier.wait(timeout=5)
            beat(token, intervals=[interval], position=interval[1])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # Five races of two short intervals each (20 s in all, well within two minutes' allowance).
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


def test_sessions_kept_in_the_cache_are_asked_of_the_cache(settings, video_progress):
    """With a session engine other than the database's, the heartbeat asks that engine whether the
    session is open (and its read takes the answer as a parameter): recorded while open, refused after."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    token = heartbeat_token_make(
        progress_id=video_progress.id,
        learner_id=video_progress.learner_id,
        lesson_id=video_progress.lesson_id,
        duration=video_progress.lesson.duration_seconds,
        session_key=store.session_key,
    )
    seconds_pass(video_progress, 60)

    assert heartbeat_record(token=token, session_key=store.session_key, intervals=[[0, 10]], position=10)
    store.delete()  # what signing out does
    with pytest.raises(HeartbeatForbidden):
        heartbeat_record(token=token, session_key=store.session_key, intervals=[[10, 20]], position=20)

    video_progress.refresh_from_db()
    assert video_progress.watched_seconds == 10.0
