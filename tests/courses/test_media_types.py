"""One table of types: the forms' `accept` attributes, the upload checks, storage and delivery all agree with it."""

import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from courses.forms.studio import CaptionsForm, LessonFileForm, QuestionImportForm
from courses.media import storage
from courses.media.delivery import content_type_for
from courses.media.types import (
    ACCEPT_FOR_KIND,
    FILE_TYPES,
    PROCESSED_KINDS,
    TYPES_BY_SUFFIX,
    UPLOAD_KIND_DESCRIPTIONS,
    content_type_is_inline,
    types_accepted_as,
)
from courses.media.uploads import upload_check
from courses.models import Lesson
from tests import fixtures_media as media


def office_zip(*parts: tuple[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts:
            archive.writestr(name, text)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def sample_make(folder, code: str):
    """A small real file of each type an upload may be."""
    makers = {
        "mp4": lambda: media.mp4_make(folder, seconds=1),
        "webm": lambda: media.webm_make(folder, seconds=1),
        "pdf": lambda: media.pdf_pages_make(folder, pages=1),
        "docx": lambda: media.docx_make(folder),
        "xlsx": lambda: media.bytes_make(folder, "bang.xlsx", xlsx_bytes()),
        "pptx": lambda: media.bytes_make(
            folder,
            "trinh-chieu.pptx",
            office_zip(
                ("[Content_Types].xml", "<Types>presentationml.presentation.main+xml</Types>"),
                ("ppt/presentation.xml", "<p:presentation/>"),
            ),
        ),
        "odp": lambda: media.bytes_make(
            folder,
            "trinh-chieu.odp",
            office_zip(("mimetype", "application/vnd.oasis.opendocument.presentation"), ("content.xml", "<x/>")),
        ),
        "png": lambda: media.image_make(folder, "anh.png", format="PNG"),
        "jpeg": lambda: media.image_make(folder, "anh.jpg", format="JPEG"),
        "webp": lambda: media.image_make(folder, "anh.webp", format="WEBP"),
    }
    return makers[code]()


def accept_items(attribute: str) -> tuple[set[str], set[str]]:
    items = attribute.split(",")
    return {item for item in items if item.startswith(".")}, {item for item in items if not item.startswith(".")}


def expected_items(upload_kind: str) -> tuple[set[str], set[str]]:
    accepted = types_accepted_as(upload_kind)
    extensions = {f".{extension}" for t in accepted for extension in t.extensions}
    return extensions, {t.content_type.split(";")[0] for t in accepted}


@pytest.mark.parametrize("kind", [Lesson.Kind.VIDEO, Lesson.Kind.SLIDES, Lesson.Kind.DOCUMENT])
def test_lesson_file_input_accepts_exactly_the_types_its_kind_accepts(kind):
    """The studio's file input lists the accepted extensions and content types, and nothing else."""
    form = LessonFileForm(lesson=Lesson(kind=kind))
    assert accept_items(form.fields["file"].widget.attrs["accept"]) == expected_items(ACCEPT_FOR_KIND[kind])


def test_captions_and_question_import_inputs_come_from_the_table():
    """Captions take .vtt; the question import takes .xlsx and .csv: the same table says so."""
    captions = CaptionsForm().fields["captions"].widget.attrs["accept"]
    questions = QuestionImportForm().fields["file"].widget.attrs["accept"]
    assert accept_items(captions) == ({".vtt"}, {"text/vtt"}) == expected_items("captions")
    assert accept_items(questions)[0] == {".xlsx", ".csv"}
    assert accept_items(questions) == expected_items("questions")


def test_lessons_without_a_file_accept_nothing():
    """Text and quiz lessons take no upload; only video and slides are processed."""
    assert Lesson.Kind.TEXT not in ACCEPT_FOR_KIND and Lesson.Kind.QUIZ not in ACCEPT_FOR_KIND
    assert PROCESSED_KINDS <= set(ACCEPT_FOR_KIND)


@pytest.mark.parametrize("upload_kind", sorted(UPLOAD_KIND_DESCRIPTIONS))
def test_every_accepted_type_passes_its_check_and_is_served_with_its_content_type(files, upload_kind):
    """A real file of each accepted type passes the upload check as that type, and delivery serves it,
    under its stored extension, with the content type it was stored with (inline for video and images)."""
    for file_type in types_accepted_as(upload_kind):
        checked = upload_check(media.uploaded(sample_make(files, file_type.code)), accept=upload_kind)
        assert checked == file_type
        name = f"lessons/1/2/source/tep.{checked.extension}"
        lesson = SimpleNamespace(source=SimpleNamespace(name=name), source_content_type=checked.content_type)
        assert content_type_for(lesson, name) == checked.content_type
        assert content_type_is_inline(checked.content_type) == (upload_kind in ("video", "image"))


def test_types_no_upload_kind_accepts_are_refused(files):
    """A file of a type outside a kind's list is refused, even one the table knows for another kind."""
    for upload_kind in UPLOAD_KIND_DESCRIPTIONS:
        codes = {t.code for t in types_accepted_as(upload_kind)}
        for other in ("mp4", "pdf", "png", "docx"):
            if other not in codes:
                with pytest.raises(ValidationError) as refused:
                    upload_check(media.uploaded(sample_make(files, other)), accept=upload_kind)
                assert refused.value.code == "wrong_type"


def test_derived_files_are_stored_with_the_type_delivery_serves(tmp_path, monkeypatch):
    """Posters, playlists, segments, pages and converted slides are stored as delivery serves them."""
    stored_types = {}

    class Recording:
        def save(self, name, content):
            stored_types[name] = content.content_type
            return name

    out = tmp_path / "out"
    (out / "hls" / "360p").mkdir(parents=True)
    for relative in ("poster.jpg", "hls/master.m3u8", "hls/360p/segment_0000.ts", "slides.pdf", "notes.txt"):
        (out / relative).write_bytes(b"x")
    monkeypatch.setattr(storage, "default_storage", Recording())

    storage.storage_tree_put(out, "lessons/1/2/media-a/")

    for name, stored in stored_types.items():
        lesson = SimpleNamespace(source=SimpleNamespace(name=""), source_content_type="")
        if name.endswith(".txt"):
            assert stored == "application/octet-stream"
        else:
            assert stored == content_type_for(lesson, name)
            assert TYPES_BY_SUFFIX["." + name.rpartition(".")[2]].derived


def test_every_type_has_one_row_per_extension_and_a_served_type():
    """No extension is claimed twice, and only the neutral type is ever a fallback."""
    extensions = [extension for t in FILE_TYPES for extension in t.extensions]
    assert len(extensions) == len(set(extensions))
    assert all("/" in t.content_type and "html" not in t.content_type for t in FILE_TYPES)
