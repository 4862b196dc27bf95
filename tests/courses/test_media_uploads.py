"""Uploads: checked by content and size, names made safe, streamed to storage; bad input changes nothing."""

import hashlib
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import translation

from courses.media import office_files
from courses.media.uploads import file_name_clean, file_type_sniff, upload_check
from courses.models import Lesson
from courses.services.materials import (
    lesson_captions_upload,
    lesson_processing_retry,
    lesson_source_upload,
)
from courses.services.structure import lesson_create, module_create
from tests import fixtures_media as media
from tests.factories import course_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are read in English here (the Vietnamese catalogue is tested elsewhere)."""
    with translation.override("en"):
        yield


@pytest.fixture
def module(province_hanoi):
    course = course_make(province=province_hanoi, is_published=False)
    return module_create(course=course, title="Phần 1")


def lesson_of(module, kind: str) -> Lesson:
    return lesson_create(module=module, title=f"Bài {kind}", kind=kind)


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def lesson_row(lesson: Lesson) -> dict:
    row = model_to_dict(Lesson.objects.get(id=lesson.id))
    row["source"], row["captions"] = str(row["source"]), str(row["captions"])
    return row


def refused(lesson: Lesson, upload, *, code: str, storage_root: Path, captions: bool = False) -> ValidationError:
    """Upload and expect a refusal with this code, the lesson row and the storage left as they were."""
    before_row, before_files = lesson_row(lesson), stored_files(storage_root)
    service = lesson_captions_upload if captions else lesson_source_upload
    with pytest.raises(ValidationError) as caught:
        service(lesson=lesson, uploaded_file=upload)
    assert caught.value.error_list[0].code == code
    assert lesson_row(lesson) == before_row
    assert stored_files(storage_root) == before_files
    return caught.value


# --- Bad input ------------------------------------------------------------------------------------


def test_html_page_named_mp4_is_refused_and_nothing_is_stored(module, files, storage_root):
    """An HTML page named film.mp4 is refused as a web page, whatever its name and content type say."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    upload = media.uploaded(media.bytes_make(files, "film.mp4", media.SCRIPT_HTML), content_type="video/mp4")

    error = refused(lesson, upload, code="wrong_type", storage_root=storage_root)

    assert "web page (HTML)" in error.messages[0]
    assert "MP4 or WebM video" in error.messages[0]


def test_truncated_mp4_is_refused_at_upload(module, files, storage_root):
    """An MP4 cut short (its boxes run past the end of the file) is refused before anything is stored."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    whole = media.mp4_make(files)
    cut = media.truncated_make(whole, files / "cut.mp4", share=0.6)

    error = refused(lesson, media.uploaded(cut), code="truncated", storage_root=storage_root)

    assert "incomplete or damaged" in error.messages[0]


def test_mp4_without_movie_header_is_refused_at_upload(module, files, storage_root):
    """An MP4 whose copy stopped right before its movie header (moov) is refused as incomplete."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    whole = media.mp4_make(files, faststart=False)
    data = whole.read_bytes()
    without_moov = media.bytes_make(files, "no-moov.mp4", data[: data.rindex(b"moov") - 4])

    refused(lesson, media.uploaded(without_moov), code="truncated", storage_root=storage_root)


@pytest.mark.parametrize("kind", [Lesson.Kind.SLIDES, Lesson.Kind.DOCUMENT])
def test_pdf_with_no_pages_is_refused(kind, module, files, storage_root):
    """A PDF without a single page is refused for slides and documents alike."""
    lesson = lesson_of(module, kind)

    error = refused(lesson, media.uploaded(media.pdf_no_pages_make(files)), code="no_pages", storage_root=storage_root)

    assert error.messages == ["This PDF has no pages."]


def test_damaged_pdf_is_refused(module, files, storage_root):
    """A file that starts like a PDF but cannot be read as one is refused."""
    lesson = lesson_of(module, Lesson.Kind.SLIDES)

    refused(lesson, media.uploaded(media.pdf_damaged_make(files)), code="damaged", storage_root=storage_root)


def test_upload_over_the_size_limit_is_refused(module, files, storage_root, settings):
    """A file over the configured limit for its kind is refused with both sizes in the message."""
    settings.MATERIAL_MAX_BYTES = {**settings.MATERIAL_MAX_BYTES, "video": 10_000}
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    video = media.mp4_make(files)
    assert video.stat().st_size > 10_000

    error = refused(lesson, media.uploaded(video), code="too_large", storage_root=storage_root)

    assert "too large" in error.messages[0]


def test_size_limit_applies_per_kind(module, files, storage_root, settings):
    """The same PDF passes as slides and is refused as a document when only the document limit is small."""
    settings.MATERIAL_MAX_BYTES = {**settings.MATERIAL_MAX_BYTES, "document": 100}
    pdf = media.pdf_pages_make(files)
    document, slides = lesson_of(module, Lesson.Kind.DOCUMENT), lesson_of(module, Lesson.Kind.SLIDES)

    refused(document, media.uploaded(pdf), code="too_large", storage_root=storage_root)
    lesson_source_upload(lesson=slides, uploaded_file=media.uploaded(pdf))

    assert Lesson.objects.get(id=slides.id).source_size == pdf.stat().st_size


def test_empty_file_is_refused(module, storage_root):
    """An empty file is refused."""
    lesson = lesson_of(module, Lesson.Kind.DOCUMENT)

    refused(lesson, media.named(b"", "rong.pdf"), code="empty", storage_root=storage_root)


def test_svg_and_html_are_refused_as_images(files):
    """Images are PNG, JPEG or WebP; an SVG or an HTML page is refused even when named .png."""
    png = media.image_make(files, "anh.png", format="PNG")
    jpeg = media.image_make(files, "anh.jpg", format="JPEG")
    webp = media.image_make(files, "anh.webp", format="WEBP")
    assert [upload_check(media.uploaded(p), accept="image").code for p in (png, jpeg, webp)] == ["png", "jpeg", "webp"]

    for name, data, found in (
        ("anh.svg", media.SCRIPT_SVG, "SVG"),
        ("anh.png", media.SCRIPT_SVG, "SVG"),
        ("anh.png", media.SCRIPT_HTML, "HTML"),
    ):
        with pytest.raises(ValidationError) as caught:
            upload_check(media.uploaded(media.bytes_make(files, name, data)), accept="image")
        assert caught.value.error_list[0].code == "wrong_type"
        assert found in caught.value.messages[0]


def test_svg_is_refused_as_a_document(module, files, storage_root):
    """An SVG (which can carry a script) is never stored, whatever the lesson kind."""
    lesson = lesson_of(module, Lesson.Kind.DOCUMENT)

    refused(
        lesson,
        media.uploaded(media.bytes_make(files, "so-do.pdf", media.SCRIPT_SVG)),
        code="wrong_type",
        storage_root=storage_root,
    )


def test_office_file_with_macros_is_refused(module, files, storage_root):
    """A Word file with macros is refused even when named .docx."""
    lesson = lesson_of(module, Lesson.Kind.DOCUMENT)

    error = refused(lesson, media.uploaded(media.docm_make(files)), code="wrong_type", storage_root=storage_root)

    assert "macros" in error.messages[0]


def test_zip_bomb_is_refused_without_being_unpacked(module, files, storage_root):
    """A Word file of a few hundred KB that unpacks to 256 MB is refused as a zip bomb, nothing unpacked."""
    lesson = lesson_of(module, Lesson.Kind.DOCUMENT)
    bomb = media.zip_bomb_make(files)
    assert bomb.stat().st_size < 1024 * 1024

    tracemalloc.start()
    try:
        error = refused(lesson, media.uploaded(bomb), code="zip_bomb", storage_root=storage_root)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "zip bomb" in error.messages[0]
    assert "256.0\xa0MB" in error.messages[0]
    assert peak < 4 * 1024 * 1024


@pytest.mark.parametrize("excess", ["unpacked size", "parts"])
def test_office_file_past_the_unpacked_size_or_parts_limit_is_refused(
    excess, module, files, storage_root, settings, monkeypatch
):
    """An OpenDocument presentation that unpacks to more than OFFICE_MAX_UNPACKED_BYTES, or holds more
    parts than any real office file, is refused even when no part is compressed suspiciously."""
    lesson = lesson_of(module, Lesson.Kind.SLIDES)
    path = files / "bai-giang.odp"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
        archive.writestr("content.xml", "<office:document-content/>")
        if excess == "parts":
            monkeypatch.setattr(office_files, "ZIP_PARTS_MAX", 20)
            for number in range(30):
                archive.writestr(f"Pictures/image{number}.png", b"\x89PNG")
        else:
            settings.OFFICE_MAX_UNPACKED_BYTES = 1024 * 1024
            archive.writestr("Pictures/image1.png", os.urandom(2 * 1024 * 1024))

    refused(lesson, media.uploaded(path), code="zip_bomb", storage_root=storage_root)


def test_file_kinds_accepted_per_lesson_kind(files):
    """Video takes MP4/WebM, slides PDF/PPTX/ODP, documents PDF/DOCX/XLSX/PPTX; nothing crosses over."""
    mp4, webm = media.mp4_make(files), media.webm_make(files)
    pdf, docx = media.pdf_pages_make(files), media.docx_make(files)

    assert upload_check(media.uploaded(mp4), accept="video").code == "mp4"
    assert upload_check(media.uploaded(webm), accept="video").code == "webm"
    assert upload_check(media.uploaded(pdf), accept="slides").code == "pdf"
    assert upload_check(media.uploaded(pdf), accept="document").code == "pdf"
    assert upload_check(media.uploaded(docx), accept="document").code == "docx"
    for path, accept in ((docx, "video"), (mp4, "document"), (docx, "slides"), (pdf, "video")):
        with pytest.raises(ValidationError):
            upload_check(media.uploaded(path), accept=accept)


def test_text_lesson_takes_no_file(module, files, storage_root):
    """A text lesson refuses any upload."""
    lesson = lesson_of(module, Lesson.Kind.TEXT)

    refused(lesson, media.uploaded(media.pdf_pages_make(files)), code="no_file_kind", storage_root=storage_root)


# --- File names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "extension", "expected"),
    [
        ("<script>alert(1)</script>.pdf", "pdf", "script-alert(1)-script.pdf"),
        ("../../etc/passwd.pdf", "pdf", "etc-passwd.pdf"),
        ("..\\..\\windows\\win.ini.docx", "docx", "windows-win.ini.docx"),
        ("Bài giảng: Chuyển đổi số.pdf", "pdf", "Bài giảng- Chuyển đổi số.pdf"),
        ("phim\x00\x1f\u202egpj.mp4", "mp4", "phim-gpj.mp4"),
        ("slides.html", "pdf", "slides.pdf"),
        (".htaccess", "pdf", "htaccess.pdf"),
        ("", "webm", "file.webm"),
        ("<>/\\", "mp4", "file.mp4"),
        ("a" * 300 + ".pdf", "pdf", "a" * 80 + ".pdf"),
    ],
)
def test_file_names_are_made_safe(given, extension, expected):
    """Names lose paths, markup and control characters, keep Vietnamese letters and take the true extension."""
    assert file_name_clean(given, extension=extension) == expected


def test_script_file_name_is_stored_sanitised(module, files, storage_root):
    """A PDF named with folders and a script is stored under a clean name inside the lesson's folder."""
    lesson = lesson_of(module, Lesson.Kind.DOCUMENT)
    data = media.pdf_pages_make(files).read_bytes()

    lesson_source_upload(lesson=lesson, uploaded_file=media.named(data, "../../<script>alert(1)</script>.pdf"))

    lesson.refresh_from_db()
    assert lesson.source_name == "script-alert(1)-script.pdf"
    assert lesson.source.name.startswith(f"lessons/{lesson.course_id}/{lesson.id}/source/")
    assert not set("<>\\\"'") & set(lesson.source.name)
    assert stored_files(storage_root) == [lesson.source.name]
    assert (storage_root / lesson.source.name).read_bytes() == data


# --- Accepted uploads -----------------------------------------------------------------------------


def test_video_upload_is_stored_with_its_sniffed_type_and_queued(
    module, files, storage_root, django_capture_on_commit_callbacks
):
    """A video is stored with the type its bytes show (not the client's), marked processing, and queued."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    video = media.mp4_make(files)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(video, content_type="text/html"))

    lesson.refresh_from_db()
    assert lesson.processing == Lesson.Processing.PROCESSING
    assert (lesson.source_content_type, lesson.source_size) == ("video/mp4", video.stat().st_size)
    assert stored_files(storage_root) == [lesson.source.name]
    assert len(callbacks) == 2  # the old files' deletion and the processing task


def test_document_upload_is_ready_at_once(module, files, storage_root):
    """A document needs no processing: it is ready as soon as it is stored."""
    lesson = lesson_of(module, Lesson.Kind.DOCUMENT)

    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.docx_make(files), name="tai-lieu.docx"))

    lesson.refresh_from_db()
    assert lesson.processing == Lesson.Processing.READY
    assert lesson.source_name == "tai-lieu.docx"
    assert lesson.source_content_type.endswith("wordprocessingml.document")


def test_large_upload_is_streamed_to_storage_not_held_in_memory(module, files, storage_root, settings):
    """A 24 MB upload, kept by Django in a temporary file, reaches storage without being read whole."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    big = media.mp4_padded_make(media.mp4_make(files), files / "big.mp4", extra_bytes=24 * 1024 * 1024)
    upload = media.uploaded(big)
    assert big.stat().st_size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    assert hasattr(upload, "temporary_file_path")

    tracemalloc.start()
    try:
        lesson_source_upload(lesson=lesson, uploaded_file=upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    upload.close()
    assert peak < 4 * 1024 * 1024
    lesson.refresh_from_db()
    assert file_sha256(storage_root / lesson.source.name) == file_sha256(big)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- Captions -------------------------------------------------------------------------------------


def test_webvtt_captions_are_stored_for_a_video(module, files, storage_root):
    """A WebVTT file is stored as the video lesson's captions."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)

    lesson_captions_upload(lesson=lesson, uploaded_file=media.uploaded(media.captions_make(files)))

    lesson.refresh_from_db()
    assert lesson.captions.name.endswith("phu-de.vtt")
    assert (storage_root / lesson.captions.name).read_text(encoding="utf-8").startswith("WEBVTT")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"1\n00:00:00,000 --> 00:00:02,000\nXin ch\xc3\xa0o\n", "wrong_type"),  # SubRip, not WebVTT
        (b"WEBVTT\n\n00:00.000 --> 00:02.000\nXin ch\xe0o\n", "encoding"),  # Latin-1, not UTF-8
        (b"<html><script>alert(1)</script></html>", "wrong_type"),
    ],
)
def test_captions_that_are_not_webvtt_are_refused(data, code, module, storage_root):
    """SubRip, non-UTF-8 text or HTML is refused as captions."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)

    refused(lesson, media.named(data, "phu-de.vtt"), code=code, storage_root=storage_root, captions=True)


def test_oversized_captions_are_refused(module, storage_root, settings):
    """Captions over their size limit are refused."""
    settings.MATERIAL_MAX_BYTES = {**settings.MATERIAL_MAX_BYTES, "captions": 20}
    lesson = lesson_of(module, Lesson.Kind.VIDEO)

    refused(
        lesson,
        media.named(b"WEBVTT\n\n" + b"x" * 40, "a.vtt"),
        code="too_large",
        storage_root=storage_root,
        captions=True,
    )


def test_captions_only_for_video(module, files, storage_root):
    """A slides lesson takes no captions."""
    lesson = lesson_of(module, Lesson.Kind.SLIDES)

    refused(
        lesson,
        media.uploaded(media.captions_make(files)),
        code="no_captions_kind",
        storage_root=storage_root,
        captions=True,
    )


# --- Retry ----------------------------------------------------------------------------------------


def test_retry_is_refused_unless_processing_failed(module, files, storage_root):
    """Retrying a lesson still waiting for its first processing is refused and changes nothing."""
    lesson = lesson_of(module, Lesson.Kind.VIDEO)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.mp4_make(files)))
    before = lesson_row(lesson)

    with pytest.raises(ValidationError) as caught:
        lesson_processing_retry(lesson=lesson)

    assert caught.value.error_list[0].code == "not_failed"
    assert lesson_row(lesson) == before


def test_sniffing_ignores_the_name(files):
    """What a file is comes from its bytes: a PDF named .mp4 is a PDF."""
    pdf = media.pdf_pages_make(files, "phim.mp4")

    assert file_type_sniff(media.uploaded(pdf)) == "pdf"
