"""Lesson pages and the heartbeat endpoint: who opens what, resume, completion, order, query bounds."""

import json
import re
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, Lesson
from courses.services.structure import module_create
from learners.models import LearningEvent, LessonProgress
from learners.pure.progress import heartbeat_token_make
from learners.services.enrolments import enrolment_create
from learners.services.progress import (
    HEARTBEAT_ROW,
    KNOWN_VIDEO_UPDATE,
    UNWAITED_UPDATES,
    VIDEO_UPDATE,
)
from onetouch.models import Session
from onetouch.prepared import prepared_execute
from tests.factories import (
    course_make,
    learner_make,
    lesson_file_replaced,
    lesson_make,
    seconds_pass,
    snapshot,
    video_lesson_make,
)

pytestmark = pytest.mark.django_db

HEARTBEAT_URL = "/learning/heartbeat/"


def lesson_url(lesson: Lesson) -> str:
    return reverse("learners:lesson", args=[lesson.course.slug, lesson.id])


def page_token(html: str) -> str:
    return re.search(r'data-token="([^"]+)"', html).group(1)


def beat(client, token: str, **report):
    return client.post(HEARTBEAT_URL, json.dumps({"token": token, **report}), content_type="text/plain")


def token_make(client, progress: LessonProgress, **claim) -> str:
    """Return a token for the progress row in the client's session, with any claim changed."""
    fields = {
        "progress_id": progress.id,
        "learner_id": progress.learner_id,
        "lesson_id": progress.lesson_id,
        "duration": 600.0,
        "session_key": client.session.session_key,
    }
    return heartbeat_token_make(**(fields | claim))


@pytest.fixture
def hue_course(province_hue, learner_hue):
    """A published course of Huế (its one introduction lesson), Huế's learner enrolled."""
    course = course_make(title="Chuyển đổi số ở Huế", province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    return course


@pytest.fixture
def video(hue_course):
    return video_lesson_make(course=hue_course, duration=600.0)


# --- Who opens a lesson ---------------------------------------------------------------------------


def test_enrolled_learner_opens_lesson_with_outline_and_player(client, learner_hue, video):
    """An enrolled learner gets the lesson with the outline, the video player and a heartbeat token."""
    client.force_login(learner_hue)
    response = client.get(lesson_url(video))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="lesson-video"' in html
    assert "Phần 1" in html and "Phim hướng dẫn" in html
    assert page_token(html)
    assert LessonProgress.objects.filter(learner=learner_hue, lesson=video).exists()


@pytest.mark.parametrize("person", ["learner_hanoi", "admin_hanoi", "partner_trainer"])
def test_lesson_is_404_for_people_outside_the_course(client, request, video, person):
    """A learner not enrolled, another province's admin and a partner trainer get 404 and no row."""
    client.force_login(request.getfixturevalue(person))
    assert client.get(lesson_url(video)).status_code == 404
    assert not LessonProgress.objects.exists()


def test_visitor_is_sent_to_sign_in(client, video):
    """A visitor is asked to sign in first."""
    response = client.get(lesson_url(video))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_draft_lesson_is_hidden_from_learners_and_previewed_by_staff_in_scope(
    client, learner_hue, admin_hue, admin_hanoi, ministry_staff, hue_course
):
    """A draft lesson is 404 for the enrolled learner and Hà Nội's admin, a preview for Huế's admin and the ministry."""
    draft = lesson_make(
        course=hue_course, kind=Lesson.Kind.TEXT, title="Bài nháp", body_html="<p>Nháp</p>", is_published=False
    )
    for person, status in ((learner_hue, 404), (admin_hanoi, 404), (admin_hue, 200), (ministry_staff, 200)):
        client.force_login(person)
        response = client.get(lesson_url(draft))
        assert response.status_code == status, person
    client.cookies["django_language"] = "en"
    assert "Preview: learners do not see this lesson yet." in client.get(lesson_url(draft)).content.decode()
    assert not LessonProgress.objects.exists()


def test_unpublished_course_hides_its_lessons_from_enrolled_learners(client, learner_hue, video, hue_course):
    """Unpublishing a course makes its published lessons 404 for learners already enrolled."""
    Course.objects.filter(id=hue_course.id).update(is_published=False)
    client.force_login(learner_hue)
    assert client.get(lesson_url(video)).status_code == 404


def test_lesson_of_another_course_slug_is_404(client, learner_hue, video):
    """The lesson id must belong to the course in the URL."""
    client.force_login(learner_hue)
    other = course_make()
    assert client.get(reverse("learners:lesson", args=[other.slug, video.id])).status_code == 404


# --- The page per kind ----------------------------------------------------------------------------


def test_video_page_has_poster_playlist_mp4_and_captions(client, learner_hue, hue_course):
    """The player gets the poster, the HLS playlist for hls.js or native HLS, the MP4 and a Vietnamese caption track."""
    lesson = video_lesson_make(
        course=hue_course,
        source="lessons/1/2/source/phim.mp4",
        captions="lessons/1/2/source/phu-de.vtt",
        media_prefix="lessons/1/2/r1/",
        poster_name="lessons/1/2/r1/poster.jpg",
        hls_playlist_name="lessons/1/2/r1/hls/master.m3u8",
    )
    client.force_login(learner_hue)
    html = client.get(lesson_url(lesson)).content.decode()
    media = f"/learning/media/{lesson.id}/"
    assert f'poster="{media}lessons/1/2/r1/poster.jpg"' in html
    assert f'data-hls-url="{media}lessons/1/2/r1/hls/master.m3u8"' in html
    assert f'<source src="{media}lessons/1/2/source/phim.mp4" type="video/mp4">' in html
    assert (
        f'<track kind="captions" srclang="vi" label="Tiếng Việt" src="{media}lessons/1/2/source/phu-de.vtt" default>'
        in html
    )
    assert "/static/vendor/hls.js/hls.min.js" in html
    assert "/static/js/player.js" in html


def test_video_page_allows_blob_media_for_hls_js(client, learner_hue, video):
    """The page's CSP lets the player play hls.js's blob: media and still runs no foreign script."""
    client.force_login(learner_hue)
    csp = client.get(lesson_url(video))["Content-Security-Policy"]
    assert "media-src 'self' blob:" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_lesson_still_processing_says_it_is_being_prepared(in_english, learner_hue, hue_course):
    """A lesson whose file is still processing shows a message instead of a player."""
    lesson = lesson_file_replaced(video_lesson_make(course=hue_course), processing=Lesson.Processing.PROCESSING)
    in_english.force_login(learner_hue)
    html = in_english.get(lesson_url(lesson)).content.decode()
    assert "This lesson is being prepared." in html
    assert 'id="lesson-video"' not in html


def test_failed_processing_tells_staff_why_and_learners_to_come_back(in_english, learner_hue, admin_hue, hue_course):
    """Staff see the processing error; learners see a plain message without it."""
    lesson = lesson_file_replaced(
        video_lesson_make(course=hue_course),
        processing=Lesson.Processing.FAILED,
        processing_error="ffprobe: moov atom not found",
    )
    in_english.force_login(admin_hue)
    staff_html = in_english.get(lesson_url(lesson)).content.decode()
    assert "Processing of this lesson's file failed." in staff_html
    assert "moov atom not found" in staff_html
    assert reverse("courses:studio_lesson", args=[lesson.id]) in staff_html
    in_english.force_login(learner_hue)
    learner_html = in_english.get(lesson_url(lesson)).content.decode()
    assert "This lesson cannot be shown at the moment." in learner_html
    assert "moov atom" not in learner_html


def test_text_lesson_shows_clean_body_and_completes_on_mark_as_read(in_english, learner_hue, hue_course):
    """The text (four words: no time to wait) is shown without its script; "Mark as read" completes it once."""
    lesson = lesson_make(
        course=hue_course,
        kind=Lesson.Kind.TEXT,
        title="Đọc kỹ",
        body_html='<p>Cảnh giác lừa đảo</p><script>alert("x")</script><img src=x onerror="alert(1)">',
    )
    in_english.force_login(learner_hue)
    html = in_english.get(lesson_url(lesson)).content.decode()
    assert "Cảnh giác lừa đảo" in html
    assert 'alert("x")' not in html and "onerror" not in html
    assert "Mark as read" in html

    complete = reverse("learners:lesson_complete", args=[hue_course.slug, lesson.id])
    assert in_english.post(complete).status_code == 302
    in_english.post(complete)

    assert LessonProgress.objects.get(learner=learner_hue, lesson=lesson).completed_at is not None
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED, lesson=lesson).count() == 1
    assert "Mark as read" not in in_english.get(lesson_url(lesson)).content.decode()


def test_mark_as_read_before_half_the_reading_time_is_refused_with_a_message(in_english, learner_hue, hue_course):
    """A 400-word text marked read right after opening: the page says how long to wait, nothing changes."""
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.TEXT, body_html="<p>" + "đọc " * 400 + "</p>")
    in_english.force_login(learner_hue)
    in_english.get(lesson_url(lesson))
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    before = snapshot(progress)

    response = in_english.post(reverse("learners:lesson_complete", args=[hue_course.slug, lesson.id]), follow=True)

    html = response.content.decode()
    assert "Take the time to read this lesson: it can be marked as read in 60 seconds." in html
    assert 'id="lesson-done"' not in html and "Mark as read" in html
    assert snapshot(progress) == before
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).exists()

    seconds_pass(progress, 60)
    in_english.post(reverse("learners:lesson_complete", args=[hue_course.slug, lesson.id]))
    assert LessonProgress.objects.get(id=progress.id).completed_at is not None


def test_mark_as_read_is_404_for_a_learner_not_enrolled(client, learner_hanoi, hue_course):
    """Someone outside the course cannot complete its lesson."""
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.TEXT, body_html="<p>Nội dung</p>")
    client.force_login(learner_hanoi)
    assert client.post(reverse("learners:lesson_complete", args=[hue_course.slug, lesson.id])).status_code == 404
    assert not LessonProgress.objects.exists()


def test_slides_page_by_page_complete_after_every_page_stayed_on_screen(client, learner_hue, hue_course):
    """Pages shown with ?page= and reported by the viewer count once each stayed three seconds on screen."""
    lesson = lesson_make(
        course=hue_course, kind=Lesson.Kind.SLIDES, title="Bài giảng", page_count=3, media_prefix="lessons/9/9/r1/"
    )
    client.force_login(learner_hue)
    html = client.get(lesson_url(lesson)).content.decode()
    assert f'src="/learning/media/{lesson.id}/lessons/9/9/r1/pages/001.jpg"' in html
    assert 'id="slide-pages"' in html and 'data-min-seconds="3.0"' in html
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    seconds_pass(progress, 3)
    client.get(lesson_url(lesson) + "?page=3")
    progress.refresh_from_db()
    assert progress.pages_viewed == [1] and progress.completed_at is None
    token = page_token(html)

    seconds_pass(progress, 3)
    assert beat(client, token, page=2).json() == {
        "completed": False,
        "watched_seconds": 0.0,
        "pages_viewed": [1, 3],
        "next_seconds": 10,
    }
    seconds_pass(progress, 3)
    response = beat(client, token, page=2)

    assert response.status_code == 200 and response.json()["completed"] is True
    progress.refresh_from_db()
    assert progress.pages_viewed == [1, 2, 3] and progress.completed_at is not None


def test_slides_paged_through_in_a_burst_complete_nothing(client, learner_hue, hue_course):
    """Reports of every page in quick succession, or of all pages at once, count no page."""
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.SLIDES, page_count=3, media_prefix="lessons/9/7/r1/")
    client.force_login(learner_hue)
    token = page_token(client.get(lesson_url(lesson)).content.decode())
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)

    answers = [beat(client, token, page=page).status_code for page in (2, 3, 1, 2, 3, 3)]
    assert answers == [200] * 6
    assert beat(client, token, pages=[1, 2, 3]).status_code == 400
    assert beat(client, token, page=[1, 2, 3]).status_code == 400

    progress.refresh_from_db()
    assert progress.pages_viewed == [] and progress.completed_at is None
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).exists()


def test_slides_without_script_complete_after_the_last_page_stayed_on_screen(in_english, learner_hue, hue_course):
    """Following the page links alone (no script), the last page offers to finish; finishing in time completes."""
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.SLIDES, page_count=2, media_prefix="lessons/9/8/r1/")
    in_english.force_login(learner_hue)
    first = in_english.get(lesson_url(lesson)).content.decode()
    assert 'href="?page=2"' in first and 'id="lesson-done"' not in first
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    seconds_pass(progress, 3)
    last = in_english.get(lesson_url(lesson) + "?page=2").content.decode()
    assert "Page 2 of 2" in last and 'id="lesson-done"' not in last
    slide_url = reverse("learners:lesson_slide", args=[hue_course.slug, lesson.id])
    assert f'<form method="post" action="{slide_url}">' in last
    assert '<button class="button" type="submit" name="page" value="2">I have read the last page</button>' in last
    assert in_english.get(lesson_url(lesson) + "?page=2").context["progress"].completed_at is None

    seconds_pass(progress, 3)
    done = in_english.post(slide_url, {"page": "2"}, follow=True).content.decode()
    assert '<p class="message success" id="lesson-done">You have completed this lesson.</p>' in done
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED, lesson=lesson).count() == 1


def test_the_last_page_button_pressed_too_soon_names_the_pages_not_counted(in_english, learner_hue, hue_course):
    """Paging through faster than the clock counts: the button completes nothing and says which pages to see again."""
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.SLIDES, page_count=3, media_prefix="lessons/9/7/r1/")
    in_english.force_login(learner_hue)
    in_english.get(lesson_url(lesson))
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    seconds_pass(progress, 3)
    in_english.get(lesson_url(lesson) + "?page=2")
    in_english.get(lesson_url(lesson) + "?page=3")
    slide_url = reverse("learners:lesson_slide", args=[hue_course.slug, lesson.id])

    page = in_english.post(slide_url, {"page": "3"}, follow=True).content.decode()

    assert "Pages 2, 3 are not counted yet: each page must stay on screen for 3 seconds. Go back to them." in page
    assert 'id="lesson-done"' not in page
    progress.refresh_from_db()
    assert progress.pages_viewed == [1] and progress.completed_at is None


def test_loading_a_slide_page_completes_nothing(client, learner_hue, hue_course):
    """A GET counts the pages shown but changes nothing others see: the deck is completed by the next POST."""
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.SLIDES, page_count=2, media_prefix="lessons/9/6/r1/")
    client.force_login(learner_hue)
    client.get(lesson_url(lesson))
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    seconds_pass(progress, 3)
    client.get(lesson_url(lesson) + "?page=2")
    seconds_pass(progress, 3)

    html = client.get(lesson_url(lesson) + "?page=1").content.decode()

    progress.refresh_from_db()
    assert progress.pages_viewed == [1, 2] and progress.completed_at is None
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).exists()
    token = page_token(html)
    assert beat(client, token, page=1).json()["completed"] is True
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED, lesson=lesson).count() == 1


def test_the_slide_button_is_for_enrolled_learners_and_posts_only(client, learner_hanoi, learner_hue, hue_course):
    lesson = lesson_make(course=hue_course, kind=Lesson.Kind.SLIDES, page_count=2, media_prefix="lessons/9/5/r1/")
    slide_url = reverse("learners:lesson_slide", args=[hue_course.slug, lesson.id])
    client.force_login(learner_hue)
    assert client.get(slide_url).status_code == 405
    client.force_login(learner_hanoi)
    assert client.post(slide_url, {"page": "1"}).status_code == 404
    assert not LessonProgress.objects.filter(lesson=lesson).exists()


# --- Heartbeats through the endpoint --------------------------------------------------------------


@pytest.fixture
def opened(client, learner_hue, video):
    """Huế's learner has the video's page open; returns (progress, token from the page)."""
    client.force_login(learner_hue)
    token = page_token(client.get(lesson_url(video)).content.decode())
    return LessonProgress.objects.get(learner=learner_hue, lesson=video), token


def test_resume_position_is_rendered_after_heartbeats(client, learner_hue, video):
    """After watching to minute 2 and leaving, the next visit's player starts at 120 s."""
    client.force_login(learner_hue)
    html = client.get(lesson_url(video)).content.decode()
    assert 'data-resume="0"' in html
    seconds_pass(LessonProgress.objects.get(learner=learner_hue, lesson=video), 130)
    assert beat(client, page_token(html), intervals=[[0, 120.4]], position=120.4).status_code == 200

    html = client.get(lesson_url(video)).content.decode()
    assert 'data-resume="120"' in html


def test_honest_heartbeats_complete_the_video_once(client, learner_hue, video):
    """Heartbeats of 60 s, a minute apart, complete a 10-minute video once it is 90 % watched and its end reached."""
    client.force_login(learner_hue)
    token = page_token(client.get(lesson_url(video)).content.decode())
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=video)
    answers = []
    for start in range(0, 600, 60):
        seconds_pass(progress, 60)
        answers.append(beat(client, token, intervals=[[start, start + 60]], position=start + 60).json()["completed"])
    assert answers == [False] * 9 + [True]
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED, lesson=video).count() == 1


def test_a_burst_of_heartbeats_does_not_complete_a_long_video(client, learner_hue, video):
    """120 heartbeats of 5 s each, sent at once, are held to the time since the page opened: no completion."""
    client.force_login(learner_hue)
    opened = time.monotonic()
    token = page_token(client.get(lesson_url(video)).content.decode())

    answers = [beat(client, token, intervals=[[start, start + 5]], position=start + 5) for start in range(0, 600, 5)]
    elapsed = time.monotonic() - opened

    progress = LessonProgress.objects.get(learner=learner_hue, lesson=video)
    assert progress.completed_at is None
    assert progress.watched_seconds <= 5.0 + 2 * elapsed
    assert sum(answer.status_code == 400 for answer in answers) >= 100
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).exists()


def test_one_hundred_per_cent_right_after_opening_is_refused(client, opened):
    """One [0, duration] interval posted just after the page opened is refused and completes nothing."""
    progress, token = opened
    before = snapshot(progress)
    response = beat(client, token, intervals=[[0, 600]], position=600)
    assert response.status_code == 400
    assert snapshot(progress) == before
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).exists()


@pytest.mark.parametrize(
    "report",
    [
        {"intervals": [[0, 900]], "position": 10},
        {"intervals": [[-10, 5]], "position": 5},
        {"intervals": [[0, 5]], "position": 9999},
        {"intervals": "everything"},
        {"page": 1},
    ],
    ids=["beyond-duration", "negative", "position-beyond", "not-a-list", "pages-for-a-video"],
)
def test_forged_heartbeat_is_refused_with_400_and_changes_nothing(client, opened, report):
    """Intervals past the end, negative, a position past the end or a malformed report: 400, nothing changed."""
    progress, token = opened
    seconds_pass(progress, 3600)
    before = snapshot(progress)
    assert beat(client, token, **report).status_code == 400
    assert snapshot(progress) == before


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "\xff\xfe", ""])
def test_malformed_json_is_refused(client, opened, body):
    """A body that is not a JSON object is refused with 400."""
    progress, _token = opened
    before = snapshot(progress)
    assert client.post(HEARTBEAT_URL, body, content_type="application/json").status_code == 400
    assert snapshot(progress) == before


def test_token_for_another_learner_or_lesson_or_expired_is_refused_with_403(
    client, opened, learner_hanoi, hue_course, monkeypatch
):
    """A token rebound to another learner, another lesson, badly signed or expired: 403, nothing changed."""
    progress, token = opened
    other_lesson = video_lesson_make(course=hue_course)
    seconds_pass(progress, 60)
    before = snapshot(progress)
    old = time.time() - 13 * 3600
    forged = [
        token_make(client, progress, learner_id=learner_hanoi.id),
        token_make(client, progress, lesson_id=other_lesson.id),
        token[:-4] + "AAAA",
        "",
    ]
    for bad in forged:
        assert beat(client, bad, intervals=[[0, 5]], position=5).status_code == 403
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: old)
        expired = token_make(client, progress)
    assert beat(client, expired, intervals=[[0, 5]], position=5).status_code == 403
    assert snapshot(progress) == before


def test_token_naming_another_learner_s_progress_is_refused(client, learner_hue, video, learner_hanoi):
    """A learner not enrolled in Huế's course cannot make a token naming an enrolled learner's row write to it."""
    client.force_login(learner_hue)
    client.get(lesson_url(video))
    victim = LessonProgress.objects.get(learner=learner_hue, lesson=video)
    seconds_pass(victim, 3600)
    before = snapshot(victim)
    stranger = learner_make(commune=learner_hanoi.profile.commune)
    client.force_login(stranger)

    forged = token_make(client, victim, learner_id=stranger.id)

    assert beat(client, forged, intervals=[[0, 5]], position=5).status_code == 403
    assert snapshot(victim) == before
    assert not LessonProgress.objects.filter(learner=stranger).exists()


def test_token_is_refused_after_signing_out(client, opened):
    """After logout the page's token records nothing: without the session cookie, nor with the old one replayed."""
    progress, token = opened
    seconds_pass(progress, 60)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert beat(client, token, intervals=[[0, 5]], position=5).status_code == 200
    before = snapshot(progress)

    client.post(reverse("account_logout"))

    assert beat(client, token, intervals=[[5, 10]], position=10).status_code == 403
    client.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert beat(client, token, intervals=[[5, 10]], position=10).status_code == 403
    assert snapshot(progress) == before


def test_token_is_refused_from_another_session_of_the_same_learner(client, opened, learner_hue):
    """Signing in again (a new session) does not revive a token of the old one."""
    progress, token = opened
    seconds_pass(progress, 60)
    before = snapshot(progress)
    client.logout()
    client.force_login(learner_hue)
    assert beat(client, token, intervals=[[0, 5]], position=5).status_code == 403
    assert snapshot(progress) == before


def test_heartbeat_without_post_is_refused(client):
    """The endpoint answers only POST."""
    assert client.get(HEARTBEAT_URL).status_code == 405


@pytest.fixture
def watching(client, learner_hue, province_hue) -> tuple[str, LessonProgress]:
    """Huế's learner signed in, with a ten-minute video's page open for 30 s: its token and progress row."""
    course = course_make(province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    lesson = video_lesson_make(course=course, duration=600.0)
    client.force_login(learner_hue)
    token = page_token(client.get(lesson_url(lesson)).content.decode())
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=lesson)
    seconds_pass(progress, 30)
    return token, progress


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_two_statements_and_leaves_the_session_alone(client, watching, django_assert_max_num_queries):
    """A heartbeat is one SELECT (the session's liveness inside it) and one UPDATE: no cookie, no session save."""
    token, progress = watching
    assert beat(client, token, intervals=[[0, 5]], position=5).status_code == 200  # prepares both (ADR 0031)
    session_before = list(Session.objects.values_list("session_key", "session_data", "expire_date"))

    with django_assert_max_num_queries(2) as captured:
        response = beat(client, token, intervals=[[5, 10]], position=10)

    assert response.status_code == 200
    assert [query["sql"].split("(")[0] for query in captured.captured_queries] == [
        f"EXECUTE {HEARTBEAT_ROW.by_session_table.name}",
        f"EXECUTE {UNWAITED_UPDATES[VIDEO_UPDATE].name}",  # completes nothing: commits without waiting for the disk
    ]
    assert "onetouch_session" in HEARTBEAT_ROW.by_session_table.sql
    assert not response.cookies
    assert list(Session.objects.values_list("session_key", "session_data", "expire_date")) == session_before
    assert LessonProgress.objects.get(id=progress.id).watched_seconds == 10.0


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_with_the_last_answer_s_token_runs_one_statement(client, watching, django_assert_max_num_queries):
    """The answer to a video's report carries the next token, with the row as the report left it: the
    report sent with it (as the player sends it) is one conditional UPDATE, with no read before it."""
    token, progress = watching
    answer = beat(client, token, intervals=[[0, 5]], position=5).json()
    answer = beat(client, answer["token"], intervals=[[5, 10]], position=10).json()  # prepares the UPDATE
    session_before = list(Session.objects.values_list("session_key", "session_data", "expire_date"))

    with django_assert_max_num_queries(1) as captured:
        response = beat(client, answer["token"], intervals=[[10, 15]], position=15)

    assert response.status_code == 200
    assert response.json()["token"] not in (token, answer["token"])
    assert [query["sql"].split("(")[0] for query in captured.captured_queries] == [
        f"EXECUTE {UNWAITED_UPDATES[KNOWN_VIDEO_UPDATE.by_session_table].name}"  # commits without waiting for the disk
    ]
    assert not response.cookies
    assert list(Session.objects.values_list("session_key", "session_data", "expire_date")) == session_before
    assert LessonProgress.objects.get(id=progress.id).watched_seconds == 15.0


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_that_completes_a_lesson_waits_for_the_disk(client, learner_hue, province_hue):
    """Reports before the end commit without waiting for the disk; the one that completes the lesson
    writes it in a transaction with the completion, and that transaction waits (docs/decisions/0039)."""
    course = course_make(province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    lesson = video_lesson_make(course=course, duration=20.0)
    client.force_login(learner_hue)
    token = page_token(client.get(lesson_url(lesson)).content.decode())
    seconds_pass(LessonProgress.objects.get(learner=learner_hue, lesson=lesson), 60)
    updates = []

    for start in (0, 10):
        with CaptureQueriesContext(connection) as captured:
            answer = beat(client, token, intervals=[[start, start + 10]], position=start + 10).json()
        updates.append(
            [
                query["sql"].split("(")[0]
                for query in captured.captured_queries
                if query["sql"].startswith("EXECUTE heartbeat_video")
            ]
        )

    assert answer["completed"] is True
    assert updates == [
        [f"EXECUTE {UNWAITED_UPDATES[VIDEO_UPDATE].name}"],
        [f"EXECUTE {VIDEO_UPDATE.name}"],
    ]


@pytest.mark.django_db(transaction=True)
def test_an_unwaited_update_turns_synchronous_commit_off_for_its_own_transaction_only(opened):
    """The setting the UPDATE makes lasts for the transaction it commits, then the connection's returns."""
    progress, _token = opened
    row = LessonProgress.objects.values_list("last_heartbeat_at", "completed_at").get(id=progress.id)
    params = ("2026-12-05T00:00:00Z", "2026-12-05T00:00:00Z", "[]", 0.0, None, progress.id, *row)
    settings_seen = []

    for statement in (VIDEO_UPDATE, UNWAITED_UPDATES[VIDEO_UPDATE]):
        with transaction.atomic(), connection.cursor() as cursor:
            prepared_execute(cursor, statement, params)
            assert cursor.rowcount == 1
            cursor.execute("SHOW synchronous_commit")
            settings_seen.append(cursor.fetchone()[0])
            params = (*params[:6], params[0], None)  # the row now holds this report's time
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        settings_seen.append(cursor.fetchone()[0])

    assert settings_seen == ["on", "off", "on"]


def test_heartbeat_refusals_speak_the_chosen_language(client, opened, settings):
    """The heartbeat skips the locale middleware but not the language: Vietnamese unless English was chosen."""
    _progress, _token = opened
    vietnamese = client.post(HEARTBEAT_URL, "[1, 2]", content_type="text/plain")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(HEARTBEAT_URL, "[1, 2]", content_type="text/plain")

    assert vietnamese.json() == {"error": "Báo cáo tiến độ không đúng định dạng."}
    assert english.json() == {"error": "The progress report is malformed."}


def test_heartbeat_for_a_host_not_allowed_is_refused(client, opened):
    """The heartbeat skips CommonMiddleware but still checks the Host header against ALLOWED_HOSTS."""
    progress, token = opened
    seconds_pass(progress, 30)
    before = snapshot(progress)
    response = client.post(
        HEARTBEAT_URL,
        json.dumps({"token": token, "intervals": [[0, 10]]}),
        content_type="text/plain",
        HTTP_HOST="evil.example",
    )
    assert response.status_code == 400
    assert snapshot(progress) == before


# --- Order, progress per cent, query bounds -----------------------------------------------------------


def test_course_in_order_blocks_a_later_lesson_until_earlier_required_ones_are_done(client, learner_hue, hue_course):
    """With lessons in order, the second lesson answers 403 and its media 404 until the first is read."""
    Course.objects.filter(id=hue_course.id).update(requires_order=True)
    module = module_create(course=hue_course, title="Phần 1")
    first = lesson_make(
        course=hue_course, module=module, kind=Lesson.Kind.TEXT, title="Bài một", body_html="<p>Một</p>"
    )
    second = video_lesson_make(course=hue_course, module=module, source="lessons/x/source/a.mp4")
    client.force_login(learner_hue)

    locked = client.get(lesson_url(second))
    assert locked.status_code == 403
    assert 'id="lesson-video"' not in locked.content.decode()
    assert client.get(f"/learning/media/{second.id}/lessons/x/source/a.mp4").status_code == 404
    assert not LessonProgress.objects.filter(lesson=second).exists()

    client.post(reverse("learners:lesson_complete", args=[hue_course.slug, first.id]))

    assert client.get(lesson_url(second)).status_code == 200


def test_course_progress_per_cent_on_course_page_and_my_learning(in_english, learner_hue, hue_course):
    """One of two required lessons done (an optional one aside) shows 50 % on the course page and in My learning."""
    module = module_create(course=hue_course, title="Phần 1")
    done = lesson_make(course=hue_course, module=module, kind=Lesson.Kind.TEXT, title="Đã đọc", body_html="<p>a</p>")
    lesson_make(course=hue_course, module=module, kind=Lesson.Kind.TEXT, title="Chưa đọc", body_html="<p>b</p>")
    lesson_make(
        course=hue_course,
        module=module,
        kind=Lesson.Kind.TEXT,
        title="Tùy chọn",
        body_html="<p>c</p>",
        is_required=False,
    )
    lesson_make(
        course=hue_course,
        module=module,
        kind=Lesson.Kind.TEXT,
        title="Bản nháp ẩn",
        body_html="<p>d</p>",
        is_published=False,
    )
    in_english.force_login(learner_hue)
    in_english.post(reverse("learners:lesson_complete", args=[hue_course.slug, done.id]))

    course_page = in_english.get(hue_course.get_absolute_url()).content.decode()
    my_learning = in_english.get(reverse("learners:my_learning")).content.decode()

    assert "Course progress: 50%" in course_page
    assert "Continue" in course_page
    assert "Đã đọc" in course_page and "Tùy chọn" in course_page
    assert "Bản nháp ẩn" not in course_page
    assert "Course progress: 50%" in my_learning


def test_course_page_offers_start_before_any_lesson_is_done(in_english, learner_hue, hue_course):
    """Before anything is done the course page offers "Start" to the first lesson and shows 0 %."""
    first = hue_course.lessons.get()  # the course's introduction, published with it
    lesson_make(course=hue_course, kind=Lesson.Kind.TEXT, title="Bài tiếp theo", body_html="<p>a</p>")
    in_english.force_login(learner_hue)
    html = in_english.get(hue_course.get_absolute_url()).content.decode()
    assert "Course progress: 0%" in html
    assert f'href="{lesson_url(first)}">Start</a>' in html


def test_lesson_page_queries_do_not_grow_with_lessons(client, learner_hue, hue_course, django_assert_max_num_queries):
    """The lesson page runs the same bounded number of queries with 3 or 30 lessons, half of them done."""
    module = module_create(course=hue_course, title="Phần 1")
    lessons = [
        lesson_make(course=hue_course, module=module, kind=Lesson.Kind.TEXT, body_html="<p>x</p>") for _ in range(3)
    ]
    client.force_login(learner_hue)
    client.post(reverse("learners:lesson_complete", args=[hue_course.slug, lessons[0].id]))
    client.get(lesson_url(lessons[1]))

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(lesson_url(lessons[1])).status_code == 200
        return len(context.captured_queries)

    small = queries()
    for number in range(27):
        lesson = lesson_make(course=hue_course, module=module, kind=Lesson.Kind.TEXT, body_html="<p>y</p>")
        if number % 2:
            client.post(reverse("learners:lesson_complete", args=[hue_course.slug, lesson.id]))
    large = queries()

    assert small == large
    assert large <= 5


def test_course_page_with_outline_stays_within_ten_queries(client, learner_hue, hue_course):
    """The course page with a 30-lesson outline and the learner's marks runs at most ten queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    module = module_create(course=hue_course, title="Phần 1")
    for number in range(30):
        lesson = lesson_make(course=hue_course, module=module, kind=Lesson.Kind.TEXT, body_html="<p>z</p>")
        if number % 3 == 0:
            client.force_login(learner_hue)
            client.post(reverse("learners:lesson_complete", args=[hue_course.slug, lesson.id]))
    with CaptureQueriesContext(connection) as context:
        assert client.get(hue_course.get_absolute_url()).status_code == 200
    assert len(context.captured_queries) <= 10


def test_the_server_sets_how_often_a_video_reports(client, settings, learner_hue, video):
    """The interval is the server's (HEARTBEAT_SECONDS): in the page, and in every answer so that an
    open player follows a change without a reload (the campaign's first lever, docs/decisions/0030)."""
    settings.HEARTBEAT_SECONDS = 30
    client.force_login(learner_hue)
    html = client.get(lesson_url(video)).content.decode()
    assert 'data-heartbeat-seconds="30"' in html

    settings.HEARTBEAT_SECONDS = 20
    answer = beat(client, page_token(html), intervals=[[0, 1]], position=1)
    assert answer.status_code == 200
    assert answer.json()["next_seconds"] == 20
