"""A video report sent with the token of the last answer, as the player sends it.

That token carries the progress row as the last report left it, so the report is checked without
reading the row and written by one UPDATE, conditioned on the row still holding that state and on
every check of the read (session, enrolment, lesson, course, video). Whatever changed since (a
replayed token, another window, a reopened page, signing out, leaving the course) makes that UPDATE
change nothing, and the report is then read and decided as any other.
"""

from importlib import import_module

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Course, Lesson
from learners.models import LearningEvent, LessonProgress
from learners.pure.progress import HeartbeatForbidden, HeartbeatRefused, heartbeat_token_make, heartbeat_token_read
from learners.services.enrolments import enrolment_cancel, enrolment_create
from learners.services.progress import HeartbeatResult, heartbeat_record, lesson_complete, lesson_progress_open
from tests.factories import course_make, seconds_pass, snapshot, video_lesson_make

pytestmark = pytest.mark.django_db

KNOWN_VIDEO_UPDATE = "heartbeat_known_video_by_session_table"


@pytest.fixture
def progress(learner_hanoi) -> LessonProgress:
    """A ten-minute video's page opened two minutes ago: 245 s may be watched in all by now."""
    course = course_make(title="Thanh toán trực tuyến")
    enrolment_create(learner=learner_hanoi, course=course)
    opened = lesson_progress_open(learner=learner_hanoi, lesson=video_lesson_make(course=course, duration=600.0))
    seconds_pass(opened, 120)
    return opened


@pytest.fixture
def page_token(progress, session_key) -> str:
    return heartbeat_token_make(
        progress_id=progress.id,
        learner_id=progress.learner_id,
        lesson_id=progress.lesson_id,
        duration=600.0,
        session_key=session_key,
    )


@pytest.fixture
def send(session_key):
    def report(token: str, start: float, end: float) -> HeartbeatResult:
        """Report [start, end] watched, with the session the token was issued in."""
        return heartbeat_record(token=token, session_key=session_key, intervals=[[start, end]], position=end)

    return report


def executed(queries: list[dict]) -> list[str]:
    """The names of the prepared statements run, in order (PREPAREs left out)."""
    return [query["sql"].split()[1].split("(")[0] for query in queries if query["sql"].startswith("EXECUTE")]


def test_a_report_with_the_answer_s_token_is_one_update_and_no_read(progress, page_token, send):
    first = send(page_token, 0, 10)
    assert first.token and first.token != page_token
    assert heartbeat_token_read(first.token).video.intervals == [(0.0, 10.0)]

    with CaptureQueriesContext(connection) as second_queries:
        second = send(first.token, 10, 20)
    with CaptureQueriesContext(connection) as third_queries:
        third = send(second.token, 20, 30)

    assert executed(second_queries.captured_queries) == [KNOWN_VIDEO_UPDATE]
    assert len(third_queries.captured_queries) == 1  # prepared by the report before
    assert executed(third_queries.captured_queries) == [KNOWN_VIDEO_UPDATE]
    assert third.watched_seconds == 30.0
    progress.refresh_from_db()
    assert progress.watched_intervals == [[0.0, 30.0]]
    assert progress.watched_seconds == 30.0
    assert progress.position_seconds == 30.0
    assert heartbeat_token_read(third.token).video.last_heartbeat_at == progress.last_heartbeat_at


def test_a_replayed_token_counts_nothing_twice_and_loses_nothing(progress, page_token, send):
    """An answer's token used again writes nothing by itself: the row moved on, so the report is read
    and merged into what the row holds, not into the old state the token carries."""
    first = send(page_token, 0, 10)
    send(first.token, 10, 20)

    replayed = send(first.token, 20, 30)
    assert replayed.watched_seconds == 30.0
    again = send(first.token, 10, 20)
    assert again.watched_seconds == 30.0

    progress.refresh_from_db()
    assert progress.watched_intervals == [[0.0, 30.0]]
    assert progress.watched_seconds == 30.0


def test_a_reopened_page_s_allowance_holds_against_an_older_answer_s_token(progress, page_token, send, learner_hanoi):
    """Reopening the page renews the allowance from what was watched (15 s here): an older answer's
    token, carrying the allowance of two minutes ago (245 s), cannot claim more than the new one."""
    first = send(page_token, 0, 10)
    lesson_progress_open(learner=learner_hanoi, lesson=progress.lesson)
    before = snapshot(progress)

    with pytest.raises(HeartbeatRefused):
        send(first.token, 10, 100)

    assert snapshot(progress) == before


def test_signing_out_ends_the_answer_s_token(progress, page_token, send, session_key):
    first = send(page_token, 0, 10)
    import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()  # what signing out does
    before = snapshot(progress)

    with pytest.raises(HeartbeatForbidden):
        send(first.token, 10, 20)

    assert snapshot(progress) == before


@pytest.mark.parametrize(
    "change",
    ["leave the course", "unpublish the lesson", "unpublish the course", "reprocess the video"],
)
def test_an_answer_s_token_records_nothing_once_its_lesson_is_out_of_reach(progress, page_token, send, change):
    first = send(page_token, 0, 10)
    lesson = progress.lesson
    if change == "leave the course":
        enrolment_cancel(learner=progress.learner, course=lesson.course)
    elif change == "unpublish the lesson":
        Lesson.objects.filter(id=lesson.id).update(is_published=False)
    elif change == "unpublish the course":
        Course.objects.filter(id=lesson.course_id).update(is_published=False)
    else:
        Lesson.objects.filter(id=lesson.id).update(duration_seconds=300.0)
    before = snapshot(progress)

    with pytest.raises(HeartbeatForbidden):
        send(first.token, 10, 20)

    assert snapshot(progress) == before


def test_the_completing_report_reads_the_row_and_completes_once(progress, page_token, send, learner_hanoi):
    seconds_pass(progress, 600)
    first = send(page_token, 0, 300)

    with CaptureQueriesContext(connection) as completing_queries:
        completing = send(first.token, 300, 600)
    after = send(completing.token, 0, 30)

    assert completing.has_completed_now and completing.is_complete
    assert len(completing_queries.captured_queries) > 2  # the read, the transaction and its event
    assert after.is_complete and not after.has_completed_now
    assert heartbeat_token_read(after.token).video.is_completed
    assert LearningEvent.objects.filter(learner=learner_hanoi, kind=LearningEvent.Kind.LESSON_COMPLETED).count() == 1


def test_two_windows_following_their_own_answers_lose_no_interval(progress, page_token, send, learner_hanoi):
    """Each window's answers carry the row as its own report left it; the other window's writes make
    it stale, and its reports are then read and merged."""
    window_a = page_token
    window_b = page_token
    for start in range(0, 100, 20):
        window_a = send(window_a, start, start + 5).token
        window_b = send(window_b, start + 10, start + 15).token

    progress.refresh_from_db()
    assert progress.watched_seconds == 50.0
    assert len(progress.watched_intervals) == 10


def test_a_client_that_keeps_the_page_s_token_is_still_recorded(progress, page_token, send):
    """The answer's token is an offer: a client that keeps sending the page's token (an app written
    before it) is read and recorded as before."""
    for start in range(0, 30, 10):
        send(page_token, start, start + 10)
    progress.refresh_from_db()
    assert progress.watched_intervals == [[0.0, 30.0]]


def test_an_answer_s_token_from_before_a_completion_is_not_believed(progress, page_token, send):
    """The lesson completed by another path since the token's answer (its row's completion time set,
    nothing else): the report is read again and answered "completed"."""
    first = send(page_token, 0, 10)
    lesson_complete(progress_id=progress.id, enrolment_id=progress.enrolment_id, lesson_id=progress.lesson_id)

    assert send(first.token, 10, 20).is_complete
