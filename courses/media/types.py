"""The one table of the file types lesson media may be: what each is, who accepts it, how it is served.

Every other list of types is computed from FILE_TYPES: what an upload is accepted as
(courses.media.uploads), the `accept` attribute of the studio's file inputs (courses forms), the
type a derived file is stored with (courses.media.storage), the type and disposition a file is
served with (courses.media.delivery), and the cover images (courses.views.covers). Adding a type
here is the one change that makes it uploadable, stored and served alike.

Pure: plain values, no ORM. Upload kinds are named after the lesson kinds that take a file
("video", "slides", "document"), plus "image" (cover images), "captions" (a video's WebVTT) and
"questions" (the question bank's spreadsheet import).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class FileType:
    """A type of file: its sniffed code, its extensions (the first is the one stored), how it is served."""

    code: str
    extensions: tuple[str, ...]
    content_type: str
    # Said in a refusal ("This file is a PDF document, not …"); None for types no upload is sniffed as.
    description: Promise | None = None
    # The upload kinds that accept it.
    accepted_as: frozenset[str] = frozenset()
    # Shown in the page rather than downloaded: none of these can hold script a browser would run.
    inline: bool = False
    # Written by processing (posters, HLS playlists and segments, slide pages, converted slides).
    derived: bool = False

    @property
    def extension(self) -> str:
        return self.extensions[0]


FILE_TYPES = (
    FileType("mp4", ("mp4", "m4v"), "video/mp4", _("an MP4 video"), frozenset({"video"}), inline=True),
    FileType("webm", ("webm",), "video/webm", _("a WebM video"), frozenset({"video"}), inline=True),
    FileType("pdf", ("pdf",), "application/pdf", _("a PDF document"), frozenset({"slides", "document"}), derived=True),
    FileType(
        "pptx",
        ("pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _("a PowerPoint presentation (PPTX)"),
        frozenset({"slides", "document"}),
    ),
    FileType(
        "odp",
        ("odp",),
        "application/vnd.oasis.opendocument.presentation",
        _("an OpenDocument presentation"),
        frozenset({"slides"}),
    ),
    FileType(
        "docx",
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _("a Word document (DOCX)"),
        frozenset({"document"}),
    ),
    FileType(
        "xlsx",
        ("xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _("an Excel workbook"),
        frozenset({"document", "questions"}),
    ),
    FileType("png", ("png",), "image/png", _("a PNG image"), frozenset({"image"}), inline=True),
    FileType("jpeg", ("jpg", "jpeg"), "image/jpeg", _("a JPEG image"), frozenset({"image"}), inline=True, derived=True),
    FileType("webp", ("webp",), "image/webp", _("a WebP image"), frozenset({"image"}), inline=True),
    FileType("vtt", ("vtt",), "text/vtt; charset=utf-8", accepted_as=frozenset({"captions"}), inline=True),
    FileType("csv", ("csv",), "text/csv; charset=utf-8", accepted_as=frozenset({"questions"})),
    FileType("m3u8", ("m3u8",), "application/vnd.apple.mpegurl", inline=True, derived=True),
    # Python's own table calls .ts a Qt translation file.
    FileType("ts", ("ts",), "video/mp2t", inline=True, derived=True),
    FileType("m4s", ("m4s",), "video/iso.segment", inline=True),
    FileType("aac", ("aac",), "audio/aac", inline=True),
)

TYPES_BY_CODE = {t.code: t for t in FILE_TYPES}
TYPES_BY_SUFFIX = {f".{extension}": t for t in FILE_TYPES for extension in t.extensions}

# What each kind of upload checked by its content accepts, said in a refusal.
UPLOAD_KIND_DESCRIPTIONS = {
    "video": _("an MP4 or WebM video"),
    "slides": _("a PDF, PowerPoint (PPTX) or OpenDocument (ODP) presentation"),
    "document": _("a PDF, Word (DOCX), Excel (XLSX) or PowerPoint (PPTX) file"),
    "image": _("a PNG, JPEG or WebP image"),
}
# The lesson kinds that take an uploaded file, and the upload kind it is checked as (the same name).
ACCEPT_FOR_KIND = {kind: kind for kind in ("video", "slides", "document")}
# Lesson kinds whose file a worker turns into derived media (HLS and poster, slide pages).
PROCESSED_KINDS = {"video", "slides"}

# What other files are recognised as, so a refusal can say what the file really is.
REFUSED_DESCRIPTIONS = {
    "html": _("a web page (HTML)"),
    "svg": _("an SVG image, which can carry scripts"),
    "xml": _("an XML file"),
    "quicktime": _("a QuickTime (MOV) video"),
    "matroska": _("a Matroska (MKV) video"),
    "office_macro": _("an Office file with macros"),
    "ole": _("an old Office file (DOC, XLS or PPT)"),
    "opendocument": _("an OpenDocument file other than a presentation"),
    "zip": _("a zip archive"),
    "gif": _("a GIF image"),
    "text": _("a plain text file"),
    "unknown": _("a file of unknown type"),
}


def types_accepted_as(upload_kind: str) -> list[FileType]:
    """Return the types an upload kind accepts, in the table's order."""
    return [t for t in FILE_TYPES if upload_kind in t.accepted_as]


def codes_accepted_as(upload_kind: str) -> set[str]:
    return {t.code for t in types_accepted_as(upload_kind)}


def accept_attribute(upload_kind: str) -> str:
    """Return the `accept` attribute of a file input for an upload kind: its extensions, then its types."""
    accepted = types_accepted_as(upload_kind)
    extensions = [f".{extension}" for t in accepted for extension in t.extensions]
    # A MIME type in `accept` takes no parameters ("text/vtt", not "text/vtt; charset=utf-8").
    content_types = dict.fromkeys(t.content_type.partition(";")[0] for t in accepted)
    return ",".join([*extensions, *content_types])


def content_type_for_suffix(suffix: str, *, derived_only: bool = False) -> str:
    """Return the content type of a file name's suffix (".jpg"), or the neutral one when unknown."""
    file_type = TYPES_BY_SUFFIX.get(suffix.lower())
    if file_type is None or (derived_only and not file_type.derived):
        return DEFAULT_CONTENT_TYPE
    return file_type.content_type


def content_type_is_inline(content_type: str) -> bool:
    """Return whether files of this content type are shown in the page (else they are attachments)."""
    return any(t.inline and t.content_type == content_type for t in FILE_TYPES)


def content_type_is_known(content_type: str) -> bool:
    return any(t.content_type == content_type for t in FILE_TYPES)
