"""Browser journey: a provincial admin authors a course in the studio, a learner watches, pages and
reads it, and an admin of another province cannot reach it. Headless Chromium, a live server and a
real Celery worker on the test Redis broker, so the uploaded video and slides are processed exactly
as in production and the studio page is reloaded until it shows them ready.

The interface is Vietnamese by default and being translated, so elements are found by id, name,
href, role and data attributes, and texts are compared with the templates the page itself carries
(data-counter, data-completed), never with English interface text.
"""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from courses.media.delivery import media_url
from courses.models import Course, Lesson
from learners.models import Enrolment, LessonProgress
from onetouch.models import User
from tests import fixtures_media as media
from tests.conftest import PASSWORD
from tests.e2e.journeys import path_of, sign_in, wait_until

pytestmark = [pytest.mark.e2e]

COURSE_TITLE = "Kỹ năng số cho cán bộ phường, xã Thừa Thiên Huế"
VIDEO_SECONDS = 6
SLIDE_PAGES = 3
TEXT_BODY = "<p>Chuyển đổi số bắt đầu từ <strong>người dân</strong>.</p><script>alert('xss')</script>"
PROCESSING_TIMEOUT_S = 60
# The player starts where the learner stopped; hls.js lands on a segment or frame boundary.
RESUME_TOLERANCE_S = 1.0
# Documents: a share of the author's 5 estimated minutes must pass after opening before "Mark as
# read"; 1 % (3 s) instead of 50 %, so the journey waits for real but not for minutes.
READING_SHARE = 0.01
DOCUMENT_WAIT_S = 3


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Uploads and derived media go to this test's own folder (the live server and the worker are threads here)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def short_reading(settings) -> None:
    """Documents ask for 3 s of reading instead of 150 s; slide pages keep their real 3 s."""
    settings.LESSON_READING_SHARE = READING_SHARE


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """Real small files, made on this machine: an H.264/AAC MP4 with sound, a 3-page PDF, a DOCX."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    return {
        "video": media.mp4_make(folder, "gioi-thieu.mp4", seconds=VIDEO_SECONDS),
        "slides": media.pdf_pages_make(folder, "bai-giang.pdf", pages=SLIDE_PAGES),
        "document": media.docx_make(folder, "tai-lieu.docx"),
    }


# --- Helpers --------------------------------------------------------------------------------------


def lesson_add(page: Page, module_id: int, *, title: str, kind: str, body: str = "") -> int:
    """From the course outline, add a lesson to a module; return its id (the studio opens its page)."""
    with page.expect_navigation():
        page.locator(f"a[href='/studio/modules/{module_id}/lessons/new/']").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_kind").select_option(kind)
    expect(page.locator("#id_is_required")).to_be_checked()
    if body:
        page.locator("#id_body").fill(body)
    with page.expect_navigation():
        page.locator("main form.stacked button[type=submit]").click()
    match = re.fullmatch(r"/studio/lessons/(\d+)/", path_of(page))
    assert match, f"adding the {kind} lesson did not open its page: {page.url}"
    return int(match[1])


def file_upload(page: Page, lesson_id: int, path: Path) -> None:
    """On a lesson's studio page, upload its file; the studio answers with a redirect to the same page."""
    form = page.locator(f"form[action='/studio/lessons/{lesson_id}/file/']")
    form.locator("input[type=file][name=file]").set_input_files(path)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert path_of(page) == f"/studio/lessons/{lesson_id}/", f"the upload of {path.name} was refused"
    lesson = Lesson.objects.get(id=lesson_id)
    assert lesson.source_name == path.name and lesson.source_size == path.stat().st_size


def outline_open(page: Page, course_id: int) -> None:
    with page.expect_navigation():
        page.locator(f"main nav.breadcrumbs a[href='/studio/courses/{course_id}/']").click()
    assert path_of(page) == f"/studio/courses/{course_id}/"


def outline_order(page: Page, module_id: int) -> list[int]:
    return page.locator(f"#module-{module_id} li.lesson-item").evaluate_all(
        "items => items.map(item => Number(item.dataset.id))"
    )


def db_order(module_id: int) -> list[int]:
    return list(Lesson.objects.filter(module_id=module_id).order_by("position", "id").values_list("id", flat=True))


def progress_of(learner: User, lesson_id: int) -> LessonProgress | None:
    return LessonProgress.objects.filter(learner=learner, lesson_id=lesson_id).first()


def pages_seen(learner: User, lesson_id: int) -> list[int]:
    return progress_of(learner, lesson_id).pages_viewed


# The player took the HLS playlist (native HLS) or took the MP4 <source>s out until play (hls.js).
HLS_SOURCE = (
    "() => { const v = document.getElementById('lesson-video');"
    " return v.src.includes('.m3u8') || v.src.startsWith('blob:') || !v.querySelector('source'); }"
)


def video_play(page: Page) -> None:
    """Start the lesson video as a click on play would; muted, as headless Chromium allows autoplay then."""
    page.evaluate("() => { const v = document.getElementById('lesson-video'); v.muted = true; return v.play(); }")


def image_loaded(page: Page) -> None:
    page.wait_for_function(
        "() => { const i = document.getElementById('slide-image'); return i.complete && i.naturalWidth > 0; }"
    )


# --- The journey ----------------------------------------------------------------------------------


def test_admin_uploads_learner_watches_pages_reads_and_other_province_is_refused(
    live_server, celery_worker_running, media_root, short_reading, files, new_page, admin_hue, admin_hanoi, learner_hue
) -> None:
    # 1. The provincial admin of Huế signs in and opens the studio from the header.
    admin = new_page()
    sign_in(admin, live_server, admin_hue.email, PASSWORD)
    with admin.expect_navigation():
        admin.locator("header nav a[href='/studio/']").click()
    assert path_of(admin) == "/studio/"

    # A new course: a provincial admin is not asked for the owner; it is Huế's, and a draft.
    with admin.expect_navigation():
        admin.locator("main a[href='/studio/courses/new/']").click()
    expect(admin.locator("#id_owner_province")).to_have_count(0)
    admin.locator("#id_title").fill(COURSE_TITLE)
    admin.locator("#id_summary").fill("Khóa học ngắn về kỹ năng số cho cán bộ cấp xã.")
    admin.locator("#id_description").fill("Video, bài trình chiếu, tài liệu và bài đọc.")
    admin.locator("input[name=audiences][value=commune_leader]").check()
    admin.locator("input[name=audiences][value=public]").check()
    admin.locator("#id_topic").select_option("digital_skills")
    with admin.expect_navigation():
        admin.locator("main form.stacked button[type=submit]").click()
    match = re.fullmatch(r"/studio/courses/(\d+)/", path_of(admin))
    assert match, f"the course was not created: {admin.url}"
    course = Course.objects.select_related("owner_province").get(id=int(match[1]))
    assert course.title == COURSE_TITLE
    assert course.owner_province.code == "46" and not course.is_published
    course_id, slug = course.id, course.slug

    # Two modules.
    for title in ("Phần 1: Làm quen", "Phần 2: Thực hành"):
        form = admin.locator(f"form[action='/studio/courses/{course_id}/modules/new/']")
        form.locator("input[name=title]").fill(title)
        with admin.expect_navigation():
            form.locator("button[type=submit]").click()
        assert path_of(admin) == f"/studio/courses/{course_id}/"
    module_ids = admin.locator("section.studio-module").evaluate_all("items => items.map(i => Number(i.dataset.id))")
    assert len(module_ids) == 2
    first_module, second_module = module_ids
    assert list(course.modules.order_by("position").values_list("id", flat=True)) == module_ids

    # Four lessons: a real MP4 with sound and a 3-page PDF (processed by the worker), a DOCX, a text.
    video_id = lesson_add(admin, first_module, title="Video giới thiệu", kind="video")
    file_upload(admin, video_id, files["video"])
    outline_open(admin, course_id)
    slides_id = lesson_add(admin, first_module, title="Bài trình chiếu", kind="slides")
    file_upload(admin, slides_id, files["slides"])
    outline_open(admin, course_id)
    document_id = lesson_add(admin, second_module, title="Tài liệu phát tay", kind="document")
    file_upload(admin, document_id, files["document"])
    outline_open(admin, course_id)
    text_id = lesson_add(admin, second_module, title="Bài đọc", kind="text", body=TEXT_BODY)
    text_html = Lesson.objects.get(id=text_id).body_html
    assert "<strong>người dân</strong>" in text_html and "<script" not in text_html and "alert" not in text_html
    outline_open(admin, course_id)
    assert outline_order(admin, first_module) == [video_id, slides_id]
    assert outline_order(admin, second_module) == [document_id, text_id]

    # Reorder by the keyboard: the text lesson focused, Alt+ArrowUp; the script saves the new order.
    admin.locator(f"#lesson-{text_id}").focus()
    admin.keyboard.press("Alt+ArrowUp")
    expect(admin.locator("[data-reorder-status]")).not_to_be_empty()
    assert outline_order(admin, second_module) == [text_id, document_id]
    expect(admin.locator(f"#lesson-{text_id}")).to_be_focused()
    wait_until(lambda: db_order(second_module) == [text_id, document_id], what="the keyboard reorder to be saved")
    # And with a Move down button (a plain form, no script): the video goes after the slides.
    with admin.expect_navigation():
        admin.locator(f"#lesson-{video_id} form.move button[value=down]").click()
    assert db_order(first_module) == [slides_id, video_id]

    # Reload the outline until the worker has processed the video and the slides.
    deadline = time.monotonic() + PROCESSING_TIMEOUT_S
    while True:
        admin.reload()
        failed = admin.locator("li.lesson-item .state-failed")
        assert failed.count() == 0, f"processing failed: {failed.all_inner_texts()}"
        ready = [admin.locator(f"#lesson-{i} .state-ready").count() for i in (video_id, slides_id, document_id)]
        if ready == [1, 1, 1]:
            break
        assert time.monotonic() < deadline, f"not ready after {PROCESSING_TIMEOUT_S} s: {ready}"
        time.sleep(0.5)
    expect(admin.locator(f"#lesson-{video_id} .state-processing")).to_have_count(0)
    # The order survived the reloads.
    assert outline_order(admin, first_module) == [slides_id, video_id]
    assert outline_order(admin, second_module) == [text_id, document_id]
    video = Lesson.objects.get(id=video_id)
    assert video.processing == Lesson.Processing.READY
    assert video.duration_seconds == pytest.approx(VIDEO_SECONDS, abs=0.3) and video.hls_playlist_name
    slides = Lesson.objects.get(id=slides_id)
    assert slides.processing == Lesson.Processing.READY and slides.page_count == SLIDE_PAGES

    # The course cannot be published before any of its lessons is.
    with admin.expect_navigation():
        admin.locator(f"form[action='/studio/courses/{course_id}/publish/'] button[type=submit]").click()
    assert not Course.objects.get(id=course_id).is_published

    # Publish each lesson from its page, then the course.
    for lesson_id in (slides_id, video_id, text_id, document_id):
        with admin.expect_navigation():
            admin.locator(f"#lesson-{lesson_id} a[href='/studio/lessons/{lesson_id}/']").click()
        with admin.expect_navigation():
            admin.locator(f"form[action='/studio/lessons/{lesson_id}/publish/'] button[type=submit]").click()
        expect(admin.locator(f"form[action='/studio/lessons/{lesson_id}/unpublish/']")).to_have_count(1)
        outline_open(admin, course_id)
    assert set(Lesson.objects.filter(course_id=course_id, is_published=True).values_list("id", flat=True)) == {
        video_id,
        slides_id,
        document_id,
        text_id,
    }
    with admin.expect_navigation():
        admin.locator(f"form[action='/studio/courses/{course_id}/publish/'] button[type=submit]").click()
    expect(admin.locator(f"form[action='/studio/courses/{course_id}/unpublish/']")).to_have_count(1)
    assert Course.objects.get(id=course_id).is_published

    # Preview: every lesson, in the new order; the admin's view of a lesson records nothing.
    with admin.expect_navigation():
        admin.locator(f"a[href='/studio/courses/{course_id}/preview/']").click()
    preview_links = admin.locator(f"main a[href^='/learning/courses/{slug}/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert preview_links == [f"/learning/courses/{slug}/{i}/" for i in (slides_id, video_id, text_id, document_id)]
    with admin.expect_navigation():
        admin.locator(f"main a[href='/learning/courses/{slug}/{video_id}/']").click()
    expect(admin.locator("#lesson-video")).to_have_count(1)
    assert admin.locator("#lesson-video").evaluate("v => v.hasAttribute('data-token')") is False
    assert admin.js_errors == []

    # 2. A learner of a commune of Huế signs in and enrols from the course page.
    learner = new_page()
    sign_in(learner, live_server, learner_hue.email, PASSWORD)
    learner.goto(live_server.url + f"/courses/{slug}/")
    with learner.expect_navigation():
        learner.locator(f"form[action='/learning/enrol/{slug}/'] button[type=submit]").click()
    enrolment = Enrolment.objects.get(learner=learner_hue, course_id=course_id, is_active=True)
    learner.goto(live_server.url + f"/courses/{slug}/")
    expect(learner.locator("#course-progress")).to_have_attribute("value", "0")

    # The video: play it for a few seconds; pausing sends a heartbeat, recorded in the database.
    with learner.expect_navigation():
        learner.locator(f"main a[href='/learning/courses/{slug}/{video_id}/']").click()
    player = learner.locator("#lesson-video")
    expect(player).to_have_attribute("data-resume", "0")
    expect(player).to_have_attribute("data-token", re.compile(r".+"))
    # The player has taken the processed HLS renditions (an H.264/AAC stream) instead of the MP4:
    # natively in Debian's Chromium, else through hls.js, fetched on play (test_journey_video_data).
    learner.wait_for_function(HLS_SOURCE)
    video_play(learner)
    learner.wait_for_function("() => document.getElementById('lesson-video').currentTime >= 3", timeout=15_000)
    learner.evaluate("() => document.getElementById('lesson-video').pause()")
    assert learner.evaluate("() => document.getElementById('lesson-video').videoWidth") > 0
    progress = wait_until(
        lambda: (p := progress_of(learner_hue, video_id)) and p.watched_seconds > 0 and p.position_seconds > 0 and p,
        what="a video heartbeat with watched seconds and a position",
    )
    assert progress.watched_seconds >= 2 and progress.position_seconds >= 3
    assert progress.completed_at is None

    # Reloaded, the player resumes where the learner stopped.
    learner.reload()
    resume = int(progress.position_seconds)
    expect(player).to_have_attribute("data-resume", str(resume))
    expect(learner.locator("#player-status")).not_to_be_empty()
    learner.wait_for_function(HLS_SOURCE)
    learner.evaluate(
        "() => { const v = document.getElementById('lesson-video');"
        " v.addEventListener('playing', () => { window.firstPlayingAt = v.currentTime; }, { once: true }); }"
    )
    video_play(learner)
    learner.wait_for_function("() => window.firstPlayingAt !== undefined")
    started_at = learner.evaluate("() => window.firstPlayingAt")
    assert abs(started_at - resume) <= RESUME_TOLERANCE_S, f"resumed at {started_at} s, not near {resume} s"
    learner.evaluate("() => document.getElementById('lesson-video').pause()")

    # The slides: next button, then the arrow keys, without reloading the page. A page counts as
    # seen once it stayed on screen SLIDE_PAGE_MIN_SECONDS (3 s) by the server's clock.
    with learner.expect_navigation():
        learner.locator(f"aside a[href='/learning/courses/{slug}/{slides_id}/']").click()
    deck = learner.locator("section.slides")
    expect(deck).to_have_attribute("data-count", str(SLIDE_PAGES))
    counter_template = deck.get_attribute("data-counter")
    counter = learner.locator("#slide-counter")
    page_urls = json.loads(learner.locator("#slide-pages").text_content())
    assert len(page_urls) == SLIDE_PAGES
    expect(deck).to_have_attribute("data-min-seconds", "3.0")
    expect(counter).to_have_text(counter_template.replace("{page}", "1"))
    image_loaded(learner)
    learner.evaluate("() => { window.sameDocument = true; }")
    wait_until(lambda: pages_seen(learner_hue, slides_id) == [1], what="page 1 to count after 3 s on screen")
    learner.locator("#slide-next").click()
    expect(counter).to_have_text(counter_template.replace("{page}", "2"))
    expect(learner.locator("#slide-image")).to_have_attribute("src", page_urls[1])
    image_loaded(learner)
    # Turned at once: page 2 was not on screen long enough to count.
    learner.keyboard.press("ArrowRight")
    expect(counter).to_have_text(counter_template.replace("{page}", "3"))
    expect(learner.locator("#slide-image")).to_have_attribute("src", page_urls[2])
    expect(learner.locator("#slide-next")).to_have_attribute("aria-disabled", "true")
    image_loaded(learner)
    wait_until(lambda: pages_seen(learner_hue, slides_id) == [1, 3], what="page 3 to count, and not page 2")
    assert progress_of(learner_hue, slides_id).completed_at is None
    learner.keyboard.press("ArrowLeft")
    expect(counter).to_have_text(counter_template.replace("{page}", "2"))
    assert learner.evaluate("() => window.sameDocument === true"), "turning a page reloaded the page"
    slides_status = learner.locator("#slides-status")
    expect(slides_status).to_have_text(slides_status.get_attribute("data-completed"))
    progress = wait_until(
        lambda: (p := progress_of(learner_hue, slides_id)) and p.completed_at and p, what="the slides to complete"
    )
    assert progress.pages_viewed == [1, 2, 3]

    # The document: downloaded, it is marked read only once its reading time has passed.
    learner.goto(live_server.url + f"/learning/courses/{slug}/{document_id}/")
    opened_at = progress_of(learner_hue, document_id).opened_at
    with learner.expect_download() as download_info:
        learner.locator("#document-download").click()
    download = download_info.value
    assert download.suggested_filename == "tai-lieu.docx"
    assert Path(download.path()).read_bytes() == files["document"].read_bytes()
    wait_until(lambda: progress_of(learner_hue, document_id).downloaded_at, what="the download to be recorded")
    mark_read = f"form[action='/learning/courses/{slug}/{document_id}/done/'] button[type=submit]"
    # mark-read.js posts the form and shows the answer in its place (no navigation).
    learner.locator(mark_read).click()
    expect(learner.locator(".messages .message.error")).to_have_count(1)
    expect(learner.locator("#lesson-done")).to_have_count(0)
    assert progress_of(learner_hue, document_id).completed_at is None
    time.sleep(max(0.0, (opened_at + timedelta(seconds=DOCUMENT_WAIT_S + 0.2) - timezone.now()).total_seconds()))
    learner.locator(mark_read).click()
    expect(learner.locator("#lesson-done")).to_be_visible()
    assert progress_of(learner_hue, document_id).completed_at is not None

    # The text: read and marked as read.
    learner.goto(live_server.url + f"/learning/courses/{slug}/{text_id}/")
    expect(learner.locator(".lesson-text strong")).to_have_text("người dân")
    expect(learner.locator(".lesson-text script")).to_have_count(0)
    expect(learner.locator("#lesson-done")).to_have_count(0)
    learner.locator(f"form[action='/learning/courses/{slug}/{text_id}/done/'] button[type=submit]").click()
    expect(learner.locator("#lesson-done")).to_be_visible()
    expect(learner.locator("form.mark-read")).to_have_count(0)
    assert progress_of(learner_hue, text_id).completed_at is not None

    # Three of the four required lessons are complete (the video was not watched to the end).
    expect(learner.locator("aside #course-progress")).to_have_attribute("value", "75")
    learner.goto(live_server.url + f"/courses/{slug}/")
    expect(learner.locator("#course-progress")).to_have_attribute("value", "75")
    done_marks = learner.locator("main .outline-lesson.is-done")
    expect(done_marks).to_have_count(3)
    learner.goto(live_server.url + "/learning/")
    expect(learner.locator(f"#progress-{enrolment.id}")).to_have_attribute("value", "75")

    # Watching the rest of the video completes it, and the course.
    learner.goto(live_server.url + f"/learning/courses/{slug}/{video_id}/")
    learner.wait_for_function(HLS_SOURCE)
    video_play(learner)
    learner.wait_for_function("() => document.getElementById('lesson-video').ended", timeout=15_000)
    progress = wait_until(
        lambda: (p := progress_of(learner_hue, video_id)) and p.completed_at and p, what="the video to complete"
    )
    assert progress.watched_seconds >= 0.9 * VIDEO_SECONDS
    learner.goto(live_server.url + "/learning/")
    expect(learner.locator(f"#progress-{enrolment.id}")).to_have_attribute("value", "100")
    assert learner.js_errors == []

    # 3. An admin of Hà Nội cannot open the course in the studio, nor its lesson media.
    video = Lesson.objects.get(id=video_id)
    slides = Lesson.objects.get(id=slides_id)
    document = Lesson.objects.get(id=document_id)
    protected = [
        media_url(video, video.source.name),
        media_url(video, video.hls_playlist_name),
        media_url(video, video.poster_name),
        media_url(slides, slides.page_image_name(1)),
        media_url(document, document.source.name),
    ]
    for url in protected:  # the owning admin gets them: the refusals below are about the province
        assert admin.request.get(live_server.url + url).status == 200, url

    other = new_page()
    sign_in(other, live_server, admin_hanoi.email, PASSWORD)
    other.goto(live_server.url + "/studio/")
    expect(other.locator(f"a[href='/studio/courses/{course_id}/']")).to_have_count(0)
    for url in (
        f"/studio/courses/{course_id}/",
        f"/studio/lessons/{video_id}/",
        f"/studio/modules/{first_module}/edit/",
    ):
        response = other.goto(live_server.url + url)
        assert response.status == 404, f"{url} answered {response.status} to an admin of another province"
    for url in protected:
        status = other.request.get(live_server.url + url).status
        assert status == 404, f"{url} answered {status} to an admin of another province"
    assert other.js_errors == []
