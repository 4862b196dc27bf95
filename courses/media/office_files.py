"""Office files (DOCX, XLSX, PPTX, ODP): zips told apart and judged by their directory alone.

Pure: no ORM and no storage. Nothing here unpacks a part beyond the small `[Content_Types].xml` or
`mimetype` it names: an office file that would unpack to far more than it holds, a zip bomb, is
refused before any reader (LibreOffice, openpyxl) opens it. Used by lesson uploads
(courses.media.uploads) and the spreadsheet imports (the question bank, rosters): `spreadsheet_first_look`.
"""

import io
import re
import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

# Content types and office parts larger than this are not what a real office file holds.
ZIP_PART_MAX = 1024 * 1024
# A zip bomb's tell: a part that unpacks this many times larger than it is stored (real office XML
# compresses about 5 to 20 times), once it is past ZIP_RATIO_FROM_BYTES; or more parts than any real
# office file has (a 300-slide presentation has about 1,500).
ZIP_RATIO_MAX = 100
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ZIP_PARTS_MAX = 10_000
# The accepted types (courses.media.types) that are zips.
ZIP_CODES = {"pptx", "odp", "docx", "xlsx"}


def zip_kind(file) -> str:
    """Tell an office document from any other zip by its declared parts, reading only its directory."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if "mimetype" in infos and infos["mimetype"].file_size < 200:
                mimetype = archive.read("mimetype").strip()
                return "odp" if mimetype == b"application/vnd.oasis.opendocument.presentation" else "opendocument"
            types_info = infos.get("[Content_Types].xml")
            if types_info is None or types_info.file_size > ZIP_PART_MAX:
                return "zip"
            types = archive.read(types_info).decode("utf-8", "replace")
            if "macroEnabled" in types or any(name.endswith("vbaProject.bin") for name in infos):
                return "office_macro"
            for code, main_type, main_part in (
                ("docx", "wordprocessingml.document.main+xml", "word/document.xml"),
                ("xlsx", "spreadsheetml.sheet.main+xml", "xl/workbook.xml"),
                ("pptx", "presentationml.presentation.main+xml", "ppt/presentation.xml"),
            ):
                if main_type in types and main_part in infos:
                    return code
            return "zip"
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError):
        return "zip"
    finally:
        file.seek(0)


def zip_bomb_check(file, *, max_unpacked: int) -> None:
    """Refuse an office file (a zip) that would unpack to far more than it holds: a zip bomb.

    Only the archive's directory is read, so nothing is unpacked to judge it. Python's zipfile never
    unpacks a part past its declared size, so what the directory declares bounds what our readers
    (zip_kind, openpyxl) can be made to unpack. A file that is not a readable zip is left to them.
    """
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    finally:
        file.seek(0)
    if len(parts) > ZIP_PARTS_MAX:
        raise ValidationError(
            gettext("This file holds %(count)d parts, far more than a real office document has.")
            % {"count": len(parts)},
            code="zip_bomb",
        )
    unpacked = sum(part.file_size for part in parts)
    squeezed = any(
        part.file_size > ZIP_RATIO_FROM_BYTES and part.file_size > ZIP_RATIO_MAX * max(part.compress_size, 1)
        for part in parts
    )
    if unpacked > max_unpacked or squeezed:
        size = getattr(file, "size", None)
        if size is None:
            size = file.seek(0, io.SEEK_END)
            file.seek(0)
        raise ValidationError(
            gettext(
                "This file would unpack to %(unpacked)s from %(size)s: real office documents never do. It looks "
                "built to fill the server's disk or memory (a zip bomb) and is refused. Save the document again "
                "from your office program and upload that copy."
            )
            % {"unpacked": filesizeformat(unpacked), "size": filesizeformat(size)},
            code="zip_bomb",
        )


# Bytes no spreadsheet holds: a CSV with them is some other file renamed.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_first_look(uploaded, *, max_bytes: int, max_unpacked: int, not_a_spreadsheet: str) -> bytes | None:
    """Judge an uploaded spreadsheet by its bytes before any reader opens it: return None for an XLSX
    (checked for a zip bomb), or the bytes of what may be a CSV; raise a ValidationError otherwise.

    Shared by every spreadsheet import (the question bank, rosters); `not_a_spreadsheet` is the
    importer's own message for a file of another kind.
    """
    size = uploaded.seek(0, io.SEEK_END)
    uploaded.seek(0)
    if size == 0:
        raise ValidationError(gettext("The file is empty."))
    if size > max_bytes:
        raise ValidationError(
            gettext("The file is too large: at most %(megabytes)d MB. Split it into several files.")
            % {"megabytes": max_bytes // (1024 * 1024)}
        )
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"PK\x03\x04"):
        zip_bomb_check(uploaded, max_unpacked=max_unpacked)
        if zip_kind(uploaded) != "xlsx":
            raise ValidationError(not_a_spreadsheet)
        uploaded.seek(0)
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            gettext("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8.")
        )
    data = uploaded.read()
    if head.startswith(b"%PDF") or _CONTROL_BYTES.search(data):
        raise ValidationError(not_a_spreadsheet)
    return data


def spreadsheet_cell_text(value: object, formula: object = None) -> str:
    """Return what a spreadsheet cell shows: 2020 rather than 2020.0, TRUE for a true boolean, a date in ISO
    form; a formula without a cached value (`formula`, read from a second, formulas-only opening) as its
    text, never evaluated."""
    if value is None:
        if isinstance(formula, str) and formula.startswith("="):
            return formula
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
