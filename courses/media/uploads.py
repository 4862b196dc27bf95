"""Checking uploaded files by what their bytes are, and making their names safe to store.

Pure: no ORM and no storage. The functions take a file-like object (an UploadedFile, a django File,
an open binary file) and read only what they need by seeking: the first bytes, an MP4's box headers,
a zip's directory, a PDF's cross-reference table. A whole upload is never read into memory.

Nothing the client says is trusted: not the file name, not the content type. What a file is comes from
its bytes, against the closed list of types each upload kind accepts (courses.media.types); the stored
extension and content type come from that, so an HTML page named "film.mp4" is refused and a PDF named
"x.html" is stored as "x.pdf".

A truncated MP4 is refused here: its top-level boxes are walked and one that runs past the end of the
file, or a missing movie header ("moov"), means the file was cut short. A WebM has no such cheap check;
a truncated or damaged video of either format that gets through is caught by transcoding
(courses.media.transcoding), which then fails the lesson with a clear message.

An office file (a zip) is judged by its directory before anything unpacks it: one that would unpack
to far more than it holds, a zip bomb, is refused (courses.media.office_files).
"""

import io
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from courses.media.office_files import ZIP_CODES, zip_bomb_check, zip_kind
from courses.media.types import (
    REFUSED_DESCRIPTIONS,
    TYPES_BY_CODE,
    UPLOAD_KIND_DESCRIPTIONS,
    FileType,
    codes_accepted_as,
)

HEAD_BYTES = 4096
NAME_STEM_MAX = 80
# A PDF check never reads more than this in one go (pypdf would read a damaged file whole to repair it).
PDF_READ_MAX = 8 * 1024 * 1024

MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"dash",
    b"mp71",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"MSNV",
    b"f4v ",
}


# --- The checks callers use ---------------------------------------------------------------------


def upload_check(file, *, accept: str) -> FileType:
    """Return the type of an upload accepted as `accept` (video, slides, document, image), or raise ValidationError."""
    codes, expected = codes_accepted_as(accept), UPLOAD_KIND_DESCRIPTIONS[accept]
    size = file_size(file)
    limit = settings.MATERIAL_MAX_BYTES[accept]
    if size > limit:
        raise ValidationError(
            gettext("This file is too large (%(size)s). The limit for this kind of file is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(gettext("This file is empty."), code="empty")
    code = file_type_sniff(file)
    if code not in codes:
        found = TYPES_BY_CODE[code].description if code in TYPES_BY_CODE else REFUSED_DESCRIPTIONS[code]
        raise ValidationError(
            gettext("This file is %(found)s, not %(expected)s. Files are checked by their content, not by their name.")
            % {"found": found, "expected": expected},
            code="wrong_type",
        )
    if code in ZIP_CODES:
        zip_bomb_check(file, max_unpacked=settings.OFFICE_MAX_UNPACKED_BYTES)
    if code == "mp4":
        mp4_structure_check(file, size=size)
    elif code == "pdf":
        pdf_check(file)
    elif code in ("png", "jpeg", "webp"):
        image_check(file, code=code)
    file.seek(0)
    return TYPES_BY_CODE[code]


def captions_check(file) -> str:
    """Return the text of a WebVTT captions file, or raise ValidationError."""
    size = file_size(file)
    limit = settings.MATERIAL_MAX_BYTES["captions"]
    if size > limit:
        raise ValidationError(
            gettext("This captions file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(gettext("Captions must be a WebVTT file saved as UTF-8 text."), code="encoding") from None
    if "\x00" in text or not re.match(r"WEBVTT(?:[ \t\r\n]|$)", text):
        raise ValidationError(
            gettext('This is not a WebVTT captions file: its first line must be "WEBVTT".'), code="wrong_type"
        )
    return text


def file_name_clean(name: str, *, extension: str) -> str:
    """Return a safe display and storage name: no path, no markup or control characters, the true extension.

    Vietnamese letters are kept; anything but letters, digits, spaces and "-_.()" becomes a dash.
    """
    name = unicodedata.normalize("NFC", name or "")
    stem, dot, old_extension = name.rpartition(".")
    if not dot or not stem or not re.fullmatch(r"\w{1,10}", old_extension):
        stem = name
    kept = "".join(c if c.isalnum() or c in " -_.()" or unicodedata.category(c).startswith("M") else "-" for c in stem)
    kept = re.sub(r"\s+", " ", kept)
    kept = re.sub(r"-{2,}", "-", kept)
    kept = re.sub(r"\.{2,}", ".", kept)
    kept = kept.strip(" .-_")[:NAME_STEM_MAX].strip(" .-_")
    return f"{kept or 'file'}.{extension}"


# --- What a file is -----------------------------------------------------------------------------


def file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    return size


def file_head(file, size: int = HEAD_BYTES) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def file_type_sniff(file) -> str:
    """Return what the file's bytes say it is: a code of TYPES_BY_CODE or REFUSED_DESCRIPTIONS."""
    head = file_head(file)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[4:8] == b"ftyp":
        return ftyp_kind(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"\x42\x82\x84webm" in head[:64] else "matroska"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return zip_kind(file)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return markup_kind(head)


def ftyp_kind(head: bytes) -> str:
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    if major == b"qt  ":
        return "quicktime"
    compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    return "mp4" if ({major} | compatible) & MP4_BRANDS else "unknown"


def markup_kind(head: bytes) -> str:
    """Recognise the text files that must never be served as media: web pages and SVG."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("utf-8", "replace")
    text = text.lstrip("\ufeff \t\r\n").lower()
    if "<svg" in text:
        return "svg"
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")) or re.search(
        r"<(html|script|body|iframe)[\s>]", text
    ):
        return "html"
    if text.startswith("<?xml"):
        return "xml"
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    if text and printable / len(text) > 0.95:
        return "text"
    return "unknown"


# --- Deeper checks of accepted types --------------------------------------------------------------


def mp4_structure_check(file, *, size: int) -> None:
    """Walk the MP4's top-level boxes; a box past the end of the file or no movie header means it was cut short."""
    position, seen, count = 0, set(), 0
    truncated = ValidationError(
        gettext(
            "This video is incomplete or damaged: it seems to have been cut short while being copied or "
            "exported. Export or copy it again and upload the whole file."
        ),
        code="truncated",
    )
    while position < size:
        file.seek(position)
        header = file.read(16)
        if len(header) < 8:
            raise truncated
        box_size, box_type = int.from_bytes(header[:4], "big"), header[4:8]
        header_size = 8
        if box_size == 1:
            if len(header) < 16:
                raise truncated
            box_size, header_size = int.from_bytes(header[8:16], "big"), 16
        elif box_size == 0:
            box_size = size - position
        if box_size < header_size or position + box_size > size:
            raise truncated
        seen.add(box_type)
        position += box_size
        count += 1
        if count > 100_000:
            raise truncated
    file.seek(0)
    if b"moov" not in seen:
        raise truncated


class PdfReadTooLarge(Exception):
    pass


class BoundedReads(io.RawIOBase):
    """A read-only view of a file that refuses any single read larger than PDF_READ_MAX."""

    def __init__(self, file):
        self.file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.file.seek(offset, whence)
        return self.file.tell()

    def tell(self) -> int:
        return self.file.tell()

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > PDF_READ_MAX:
            raise PdfReadTooLarge
        return self.file.read(size)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def pdf_check(file) -> int:
    """Return the page count of a readable, unprotected PDF with at least one page, or raise ValidationError."""
    from pypdf import PdfReader

    damaged = ValidationError(
        gettext("This PDF is damaged and cannot be read. Save or export it again as PDF and upload it."),
        code="damaged",
    )
    file.seek(0)
    try:
        reader = PdfReader(BoundedReads(file), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                gettext("This PDF is protected by a password. Upload a copy without a password."), code="encrypted"
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    # A hostile PDF can make pypdf raise almost anything (its own errors, but also KeyError,
    # RecursionError, ZeroDivisionError…): whatever it is, the file is refused as damaged.
    except Exception:  # noqa: BLE001
        raise damaged from None
    finally:
        file.seek(0)
    if pages == 0:
        raise ValidationError(gettext("This PDF has no pages."), code="no_pages")
    return pages


def image_check(file, *, code: str) -> None:
    """Check that an image decodes as the type its header says and is not a decompression bomb."""
    from PIL import Image

    formats = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format != formats[code]:
                raise ValueError(image.format)
            image.verify()
    # As for PDFs: Pillow answers a hostile image with many kinds of errors; all mean "refused".
    except Exception:  # noqa: BLE001
        raise ValidationError(
            gettext("This image is damaged and cannot be read. Save it again and upload it."), code="damaged"
        ) from None
    finally:
        file.seek(0)
