"""Browser journey of a real transcoded video lesson on a 360 px phone at twice its pixel ratio:
data costs money.

Before play nothing of the video is fetched: no hls.js, no playlist, no segment, no MP4. After
play, the rendition is the one fitting the player's CSS size (360p for a 328 px player, not the
720p its device pixels would ask for). Debian Chromium reports native HLS
(canPlayType('application/vnd.apple.mpegurl') == 'maybe'), so there hls.js is never fetched at all.
"Save data" (Tiết kiệm dữ liệu) keeps the lowest rendition even in a wide desktop player, drops
the poster, and is remembered on the learner's profile: after a reload and in a new browser. And
a short clip played to its end completes the lesson: the outline marks it without a reload.
"""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from courses.models import Course, Lesson
from courses.services import materials
from courses.services.catalogue import course_publish
from courses.services.structure import lesson_create, lesson_publish, module_create
from learners.models import LearnerProfile, LessonProgress
from learners.services.enrolments import enrolment_create
from tests import fixtures_media as media
from tests.conftest import PASSWORD
from tests.e2e.journeys import sign_in, wait_until
from tests.factories import course_make

pytestmark = [pytest.mark.e2e]

CLIP_SECONDS = 4  # one 4 s HLS segment per rendition; short enough to play to the end
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SEGMENT = re.compile(r"\.(ts|m4s)(\?|$)")
DONE = re.compile(r"\bis-done\b")


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def video_course(media_root, tmp_path, monkeypatch, province_hue) -> tuple[Course, Lesson]:
    """A published course with one real 720p video lesson, transcoded here into 360p and 720p HLS."""
    monkeypatch.setattr(materials, "processing_queue", lambda lesson_id: None)  # processed below, in this thread
    course = course_make(title="Gọi video an toàn", province=province_hue, is_published=False)
    module = module_create(course=course, title="Phần 1")
    lesson = lesson_create(module=module, title="Phim: gọi video", kind=Lesson.Kind.VIDEO)
    source = media.mp4_make(tmp_path, "goi-video.mp4", seconds=CLIP_SECONDS, size="1280x720")
    materials.lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(source))
    lesson = materials.lesson_process(lesson_id=lesson.id)
    assert lesson.processing == Lesson.Processing.READY, lesson.processing_error
    lesson = lesson_publish(lesson=lesson)
    return course_publish(course=Course.objects.get(id=course.id)), lesson


class Requests:
    """Every URL the page asked for, in order."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def hls_script(self) -> list[str]:
        return [url for url in self.urls if "hls.min.js" in url or "/vendor/hls" in url]

    def video(self) -> list[str]:
        """Playlists, segments, the MP4 and the poster: everything of the video itself."""
        return [url for url in self.urls if "/learning/media/" in url]

    def segments(self) -> list[str]:
        return [url for url in self.urls if SEGMENT.search(url)]


def lesson_open(page: Page, live_server, course: Course, lesson: Lesson) -> Requests:
    requests = Requests(page)
    page.goto(live_server.url + f"/learning/courses/{course.slug}/{lesson.id}/")
    page.wait_for_load_state("networkidle")
    return requests


def video_play(page: Page) -> None:
    """Start the video as the play button would; muted, as headless Chromium allows autoplay then."""
    page.evaluate(
        "() => { const v = document.getElementById('lesson-video'); v.muted = true; v.play().catch(() => 0); }"
    )
    page.wait_for_function("() => document.getElementById('lesson-video').currentTime > 0.5", timeout=20_000)


def native_hls(page: Page) -> bool:
    return bool(page.evaluate("() => document.createElement('video').canPlayType('application/vnd.apple.mpegurl')"))


def test_nothing_is_fetched_before_play_then_the_rendition_fits_the_css_width(
    live_server, new_page, video_course, learner_hue
) -> None:
    course, lesson = video_course
    enrolment_create(learner=learner_hue, course=course)
    phone = new_page(**PHONE)
    sign_in(phone, live_server, learner_hue.email, PASSWORD)

    requests = lesson_open(phone, live_server, course, lesson)
    assert phone.evaluate("() => document.getElementById('lesson-video').clientWidth") <= 340
    assert requests.hls_script() == []
    assert requests.segments() == []
    # Nothing of the video itself but its small poster before play: no playlist, no MP4.
    assert [url for url in requests.video() if not url.endswith(".jpg")] == []

    video_play(phone)
    segments = requests.segments()
    assert segments and all("/360p/" in url for url in segments), segments
    if native_hls(phone):
        assert requests.hls_script() == []
    assert phone.js_errors == []


def test_save_data_keeps_the_lowest_rendition_without_poster_and_is_remembered(
    live_server, new_page, video_course, learner_hue
) -> None:
    course, lesson = video_course
    enrolment_create(learner=learner_hue, course=course)
    desktop = new_page(**DESKTOP)
    sign_in(desktop, live_server, learner_hue.email, PASSWORD)
    lesson_open(desktop, live_server, course, lesson)
    box = desktop.locator("#save-data")
    expect(box).not_to_be_checked()
    expect(desktop.locator("#lesson-video")).to_have_attribute("poster", re.compile(r"\.jpg$"))

    # Ticked from the keyboard: saved without a reload, the poster gone at once.
    with desktop.expect_response(lambda response: "/learning/save-data/" in response.url) as answer:
        box.focus()
        desktop.keyboard.press("Space")
    assert answer.value.status == 200
    expect(box).to_be_checked()
    expect(desktop.locator("#lesson-video")).not_to_have_attribute("poster", re.compile(r"."))
    assert LearnerProfile.objects.get(user=learner_hue).save_data is True

    # After a reload: still ticked, no poster fetched, and the wide player gets only 360p segments.
    requests = lesson_open(desktop, live_server, course, lesson)
    expect(desktop.locator("#save-data")).to_be_checked()
    assert requests.video() == []
    video_play(desktop)
    segments = requests.segments()
    assert segments and all("/360p/" in url for url in segments), segments

    # Another device: the same learner's choice follows them.
    phone = new_page(**PHONE)
    sign_in(phone, live_server, learner_hue.email, PASSWORD)
    requests = lesson_open(phone, live_server, course, lesson)
    expect(phone.locator("#save-data")).to_be_checked()
    assert requests.video() == []
    assert desktop.js_errors == [] and phone.js_errors == []


def test_save_data_without_javascript_is_a_form_that_comes_back(
    live_server, new_page, video_course, learner_hue
) -> None:
    course, lesson = video_course
    enrolment_create(learner=learner_hue, course=course)
    page = new_page(java_script_enabled=False, **PHONE)
    sign_in(page, live_server, learner_hue.email, PASSWORD)
    page.goto(live_server.url + f"/learning/courses/{course.slug}/{lesson.id}/")
    page.locator("#save-data").check()
    page.locator("#save-data-submit").click()
    expect(page).to_have_url(live_server.url + f"/learning/courses/{course.slug}/{lesson.id}/")
    expect(page.locator("#save-data")).to_be_checked()
    assert LearnerProfile.objects.get(user=learner_hue).save_data is True


def test_playing_the_clip_to_its_end_completes_the_lesson_in_the_outline(
    live_server, new_page, video_course, learner_hue
) -> None:
    course, lesson = video_course
    enrolment_create(learner=learner_hue, course=course)
    phone = new_page(**PHONE)
    sign_in(phone, live_server, learner_hue.email, PASSWORD)
    lesson_open(phone, live_server, course, lesson)
    item = phone.locator(f"nav.outline li[data-lesson='{lesson.id}']")
    expect(item).not_to_have_class(DONE)
    phone.evaluate("window.__samePage = true")

    video_play(phone)
    phone.wait_for_function("() => document.getElementById('lesson-video').ended", timeout=20_000)

    expect(item).to_have_class(DONE)
    expect(phone.locator("#player-status")).not_to_be_empty()
    assert phone.evaluate("window.__samePage === true")
    progress = wait_until(
        lambda: LessonProgress.objects.filter(learner=learner_hue, lesson=lesson, completed_at__isnull=False).first(),
        what="the lesson completed by its heartbeats",
    )
    assert progress.watched_seconds >= CLIP_SECONDS * 0.8
    assert phone.js_errors == []


def test_a_playing_video_reports_as_often_as_the_server_says(
    live_server, new_page, settings, video_course, learner_hue
) -> None:
    """At HEARTBEAT_SECONDS = 2 three reports go out within 9 s of play (at the default 10 s, none
    would before the first 10 s); each is accepted. The clip loops so that it keeps playing. After
    the first, each report goes with the token of the answer before it (the row's state: one
    statement), not the page's."""
    settings.HEARTBEAT_SECONDS = 2
    course, lesson = video_course
    enrolment_create(learner=learner_hue, course=course)
    page = new_page(**DESKTOP)
    sign_in(page, live_server, learner_hue.email, PASSWORD)
    lesson_open(page, live_server, course, lesson)
    page_token = page.locator("#lesson-video").get_attribute("data-token")
    reports, answers = [], []
    page.on("response", lambda response: "/learning/heartbeat/" in response.url and answers.append(response))
    page.on("request", lambda request: "/learning/heartbeat/" in request.url and reports.append(request.post_data))
    page.evaluate("() => { document.getElementById('lesson-video').loop = true; }")

    video_play(page)
    started = time.monotonic()
    while len(answers) < 3 and time.monotonic() - started < 9:
        page.wait_for_timeout(250)

    assert len(answers) >= 3, answers
    assert {answer.status for answer in answers} == {200}
    sent = [json.loads(report)["token"] for report in reports]
    answered = [answer.json()["token"] for answer in answers]
    assert sent[0] == page_token
    assert sent[1:3] == answered[0:2]
    assert page.js_errors == []
    # Stop the looping player and let its last report be answered while the test's database is there.
    page.evaluate("() => document.getElementById('lesson-video').pause()")
    started = time.monotonic()
    while len(answers) < len(reports) and time.monotonic() - started < 5:
        page.wait_for_timeout(100)
