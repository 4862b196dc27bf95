"""Processing: real ffmpeg and poppler on real small files, and the pipeline through a real Celery worker on Redis."""

import os
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from courses.media import transcoding
from courses.models import Lesson
from courses.services.materials import lesson_process, lesson_processing_retry, lesson_source_upload
from courses.services.structure import lesson_create, module_create
from tests import fixtures_media as media
from tests.factories import course_make, lesson_wait

# The lowest rendition must fit a slow 3G connection: about 200 kbit/s, with a little margin.
SLOW_3G_BITS_PER_SECOND = 250_000


@pytest.fixture(autouse=True)
def english():
    """Messages are read in English here (the Vietnamese catalogue is tested elsewhere)."""
    with translation.override("en"):
        yield


@pytest.fixture
def no_tools_on_path(monkeypatch, tmp_path):
    """The server has none of the worker's programs (ffmpeg, poppler, LibreOffice) on its PATH."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return monkeypatch


def stored_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# --- The tools, on local files --------------------------------------------------------------------


def test_video_becomes_poster_and_two_hls_renditions_the_lowest_fit_for_slow_3g(files, tmp_path):
    """A 720p video gives a poster, a 360p rendition within about 200 kbit/s and a 720p one, all by relative paths."""
    source = media.mp4_make(files, seconds=5, size="1280x720")
    out = tmp_path / "out"
    out.mkdir()

    info, poster, master = transcoding.video_derive(source, out)

    assert info.duration == pytest.approx(5, abs=0.2)
    assert info.has_audio
    with Image.open(poster) as image:
        assert image.format == "JPEG" and image.height == 480 and image.width in (853, 854)  # not 720p
    assert poster.stat().st_size < 40_000
    variants = transcoding.hls_master_variants(master.read_text())
    assert [v.resolution for v in variants] == ["640x360", "1280x720"]
    low = variants[0]
    assert low.bandwidth <= SLOW_3G_BITS_PER_SECOND
    low_playlist = master.parent / low.uri
    segments = [line for line in low_playlist.read_text().splitlines() if line and not line.startswith("#")]
    low_bytes = sum((low_playlist.parent / name).stat().st_size for name in segments)
    assert low_bytes * 8 / info.duration <= SLOW_3G_BITS_PER_SECOND
    for uri in [v.uri for v in variants] + segments:
        assert not uri.startswith("/") and "://" not in uri and ".." not in uri
    assert transcoding.hls_playlist_seconds(low_playlist.read_text()) == pytest.approx(5, abs=0.2)


def test_portrait_video_poster_keeps_its_shape_within_480_pixels_high(files, tmp_path):
    """A phone-shot portrait video gets a portrait poster, no taller than 480 pixels."""
    source = media.mp4_make(files, seconds=2, size="360x640")

    poster = transcoding.video_poster(source, tmp_path / transcoding.POSTER, info=transcoding.video_probe(source))

    with Image.open(poster) as image:
        assert image.height == 480 and image.width in (270, 271)


def test_video_without_sound_still_gets_two_renditions(files, tmp_path):
    """A silent video is encoded without an audio track."""
    source = media.mp4_make(files, audio=False)

    _info, _poster, master = transcoding.video_derive(source, tmp_path)

    assert len(transcoding.hls_master_variants(master.read_text())) == 2


def test_sound_only_file_fails_as_having_no_picture(files, tmp_path):
    """An MP4 with only sound is refused by processing with a message saying so."""
    import subprocess

    sound = files / "am-thanh.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(sound)], check=True
    )

    with pytest.raises(transcoding.ProcessingError) as caught:
        transcoding.video_derive(sound, tmp_path)

    assert str(caught.value) == "This file has no picture. Upload a video, not only sound."


def test_truncated_webm_fails_processing(files, tmp_path):
    """A WebM cut in half decodes short of its stated duration, which processing reports as damaged."""
    cut = media.truncated_make(media.webm_make(files, seconds=4), files / "cut.webm", share=0.4)

    with pytest.raises(transcoding.ProcessingError) as caught:
        transcoding.video_derive(cut, tmp_path)

    assert "damaged or incomplete" in str(caught.value)


def test_pdf_pages_become_phone_width_images(files, tmp_path):
    """Each page of a PDF becomes pages/NNN.jpg, 960 pixels wide."""
    pdf = media.pdf_pages_make(files, pages=3)

    pages, images, converted = transcoding.slides_derive(pdf, tmp_path, is_pdf=True)

    assert pages == 3 and converted is None
    assert [p.relative_to(tmp_path).as_posix() for p in images] == ["pages/001.jpg", "pages/002.jpg", "pages/003.jpg"]
    with Image.open(images[0]) as image:
        assert image.format == "JPEG" and image.width == transcoding.PAGE_WIDTH


def test_pdf_without_pages_fails_processing(files, tmp_path):
    """A PDF with no pages gives a clear processing error too (for files that reach the worker)."""
    with pytest.raises(transcoding.ProcessingError) as caught:
        transcoding.slides_derive(media.pdf_no_pages_make(files), tmp_path, is_pdf=True)

    assert str(caught.value) == "This PDF has no pages."


def test_presentation_conversion_is_refused_clearly_without_libreoffice(files, tmp_path, no_tools_on_path):
    """Without LibreOffice on the server, a PPTX deck fails with a message asking for a PDF."""
    with pytest.raises(transcoding.ProcessingError) as caught:
        transcoding.slides_derive(files / "slides.pptx", tmp_path, is_pdf=False)

    assert "not available on this server" in str(caught.value)


def test_missing_tool_is_named_in_the_message(files, tmp_path, no_tools_on_path):
    """Without ffprobe installed, processing says which program is missing."""
    with pytest.raises(transcoding.ProcessingError) as caught:
        transcoding.video_derive(files / "phim.mp4", tmp_path)

    assert "“ffprobe” is not installed" in str(caught.value)


# --- The pipeline: upload, a real worker on Redis, storage ----------------------------------------


@pytest.fixture
def module(transactional_db):
    course = course_make(is_published=False)
    return module_create(course=course, title="Phần 1")


def test_uploaded_video_is_made_ready_by_the_worker(module, files, storage_root, celery_worker_running):
    """The worker reads the video's duration and stores its poster and an HLS master listing two renditions."""
    lesson = lesson_create(module=module, title="Phim", kind=Lesson.Kind.VIDEO)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.mp4_make(files, seconds=4)))
    assert Lesson.objects.get(id=lesson.id).processing == Lesson.Processing.PROCESSING

    lesson = lesson_wait(lesson.id)

    assert lesson.processing == Lesson.Processing.READY, lesson.processing_error
    assert lesson.duration_seconds == pytest.approx(4, abs=0.2)
    assert lesson.media_prefix.startswith(f"lessons/{lesson.course_id}/{lesson.id}/")
    assert lesson.poster_name.startswith(lesson.media_prefix)
    assert lesson.hls_playlist_name == f"{lesson.media_prefix}hls/master.m3u8"
    stored = stored_files(storage_root)
    assert {lesson.source.name, lesson.poster_name, lesson.hls_playlist_name} <= stored
    master = (storage_root / lesson.hls_playlist_name).read_text()
    variants = transcoding.hls_master_variants(master)
    assert len(variants) >= 2
    assert variants[0].bandwidth <= SLOW_3G_BITS_PER_SECOND
    for variant in variants:
        playlist_name = f"{lesson.media_prefix}hls/{variant.uri}"
        assert playlist_name in stored
        folder = playlist_name.rpartition("/")[0]
        playlist = (storage_root / playlist_name).read_text()
        segments = [line for line in playlist.splitlines() if line and not line.startswith("#")]
        assert segments and {f"{folder}/{segment}" for segment in segments} <= stored


def test_uploaded_slides_are_made_one_image_per_page_by_the_worker(module, files, storage_root, celery_worker_running):
    """A 2-page PDF becomes READY with page_count 2 and two page images in storage."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files, pages=2)))

    lesson = lesson_wait(lesson.id)

    assert lesson.processing == Lesson.Processing.READY, lesson.processing_error
    assert lesson.page_count == 2
    assert lesson.slides_pdf_name == lesson.source.name
    stored = stored_files(storage_root)
    assert {lesson.page_image_name(1), lesson.page_image_name(2)} <= stored
    assert lesson.page_image_name(3) not in stored


def test_truncated_video_fails_with_a_clear_message(module, files, storage_root, celery_worker_running):
    """A truncated WebM (accepted at upload: only MP4 boxes are checked there) fails in the worker, clearly."""
    lesson = lesson_create(module=module, title="Phim hỏng", kind=Lesson.Kind.VIDEO)
    cut = media.truncated_make(media.webm_make(files, seconds=4), files / "cut.webm", share=0.4)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(cut))

    lesson = lesson_wait(lesson.id)

    assert lesson.processing == Lesson.Processing.FAILED
    with translation.override("vi"):
        expected = str(transcoding.VIDEO_UNREADABLE)
    assert lesson.processing_error == expected
    assert (lesson.media_prefix, lesson.hls_playlist_name, lesson.duration_seconds) == ("", "", None)
    assert stored_files(storage_root) == {lesson.source.name}


def test_retry_after_a_failure_makes_the_lesson_ready(module, files, storage_root, celery_worker_running, monkeypatch):
    """Processing fails while ffprobe is missing; once it is back, the author's retry makes the lesson READY."""
    lesson = lesson_create(module=module, title="Phim", kind=Lesson.Kind.VIDEO)
    video = media.mp4_make(files)
    real_path = os.environ["PATH"]
    empty = files / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(video))

    failed = lesson_wait(lesson.id)
    assert failed.processing == Lesson.Processing.FAILED
    assert "ffprobe" in failed.processing_error

    monkeypatch.setenv("PATH", real_path)
    lesson_processing_retry(lesson=failed)
    ready = lesson_wait(lesson.id)

    assert ready.processing == Lesson.Processing.READY, ready.processing_error
    assert ready.processing_error == ""
    assert ready.hls_playlist_name in stored_files(storage_root)


def test_processing_again_changes_nothing(module, files, storage_root, celery_worker_running):
    """A second run of a finished lesson (a redelivered task) leaves the lesson and storage as they were."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files)))
    ready = lesson_wait(lesson.id)
    stored = stored_files(storage_root)

    lesson_process(lesson_id=lesson.id)

    again = Lesson.objects.get(id=lesson.id)
    assert (again.processing, again.media_prefix, again.updated_at) == (
        ready.processing,
        ready.media_prefix,
        ready.updated_at,
    )
    assert stored_files(storage_root) == stored


def test_new_upload_replaces_the_previous_file_and_its_media(module, files, storage_root, celery_worker_running):
    """Uploading another deck deletes the old file and page images and processes the new one."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files, "cu.pdf", pages=2)))
    first = lesson_wait(lesson.id)
    old_names = {first.source.name, first.page_image_name(1)}
    stored_before = stored_files(storage_root)

    lesson_source_upload(lesson=first, uploaded_file=media.uploaded(media.pdf_pages_make(files, "moi.pdf", pages=3)))
    second = lesson_wait(lesson.id)

    assert second.processing == Lesson.Processing.READY and second.page_count == 3
    stored = stored_files(storage_root)
    assert old_names <= stored_before and not old_names & stored
    assert {second.source.name, second.page_image_name(3)} <= stored
    assert all(
        name.startswith((f"lessons/{lesson.course_id}/{lesson.id}/source/", second.media_prefix)) for name in stored
    )


# --- The demo's media -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_lessons_are_published_with_processed_media_and_a_second_load_changes_nothing(tmp_path, storage_root):
    """The demo's lessons are processed by the real service and published; loading again keeps them as they are."""
    from courses.demo.courses import demo_courses_load
    from courses.demo.lessons import DEMO_MODULES, demo_lessons_load

    demo_courses_load()
    demo_lessons_load(media_dir=tmp_path / "demo-media")
    lessons = Lesson.objects.filter(course__slug__in=DEMO_MODULES).order_by("id")
    rows = list(lessons.values())
    stored = stored_files(storage_root)

    assert len(rows) == 8 and all(row["is_published"] for row in rows)
    videos = lessons.filter(kind=Lesson.Kind.VIDEO)
    assert all(
        v.processing == Lesson.Processing.READY and v.duration_seconds == pytest.approx(24, abs=0.5) for v in videos
    )
    assert all(v.captions.name in stored and v.hls_playlist_name in stored for v in videos)
    assert all(s.page_count == 4 and s.page_image_name(4) in stored for s in lessons.filter(kind=Lesson.Kind.SLIDES))

    demo_courses_load()
    demo_lessons_load(media_dir=tmp_path / "demo-media")

    assert list(lessons.values()) == rows
    assert stored_files(storage_root) == stored
