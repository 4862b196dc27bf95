"""Roster spreadsheets: an uploaded XLSX or CSV read into plain rows, and the report written back. Pure: no ORM.

What a file may be, and what we do with it:
- XLSX (told by its bytes, a zip whose parts declare a workbook, never by its name), read with
  openpyxl in read-only mode after its zip directory has been checked for a zip bomb. Formulas are
  never evaluated: a formula cell reads as the value Excel cached when it last saved the file, and
  as the formula's own text ("=A1&B1") when there is no cached value (files written by scripts).
- CSV in UTF-8, with or without a byte-order mark, or in Windows-1258 (cp1258), the code page Excel
  on Windows saves Vietnamese "CSV (Comma delimited)" in. UTF-8 is tried strictly first; only when
  that fails is cp1258 tried, and its text kept only if it reads as Vietnamese (no letter outside
  the Vietnamese alphabet, no mark left over after composing). Anything else is refused with the
  advice to save as CSV UTF-8: an encoding is never guessed silently. cp1258 writes many tones as
  combining marks after the letter ("e" + U+0301), so every text is NFC-normalised.
- Columns are found by their header, in Vietnamese or English, with or without diacritics, in any
  order, in any case. A missing required column refuses the file and names the column.

`roster_read` never raises for what a file contains: a whole-file problem comes back as
`RosterFile.problem`, and the rows come back as they are written (row checks belong to the service,
which knows the database).
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from courses.media.office_files import spreadsheet_cell_text, spreadsheet_first_look
from courses.pure.search import fold

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# A workbook of 20,000 rows of nine short columns unpacks to about 15 MB; four times that is not a roster.
XLSX_MAX_UNPACKED_BYTES = 60 * 1024 * 1024
# Columns read from a worksheet: the template's and a margin for extra ones.
READ_MAX_COLUMNS = 30
# A cell longer than this is not a name, an address or a title; it is cut (the model's lengths are shorter).
CELL_MAX_CHARS = 300

# The template's headers (Vietnamese, as every province's staff fill it in), by field.
FULL_NAME = "full_name"
EMAIL = "email"
PHONE = "phone"
AUDIENCE = "audience"
PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"
ORGANISATION = "organisation"
POSITION = "position"
TEMPLATE_HEADERS = {
    FULL_NAME: "Họ và tên",
    EMAIL: "Email",
    PHONE: "Số điện thoại",
    AUDIENCE: "Nhóm đối tượng",
    PROVINCE: "Tỉnh/thành phố",
    DISTRICT: "Quận/huyện (địa chỉ cũ)",
    COMMUNE: "Xã/phường",
    ORGANISATION: "Cơ quan/đơn vị",
    POSITION: "Chức vụ",
}
FIELDS = tuple(TEMPLATE_HEADERS)
# Every header a field is recognised by, folded (see header_key): Vietnamese and English words.
HEADER_WORDS = {
    FULL_NAME: ("ho va ten", "ho ten", "ten", "full name", "name"),
    EMAIL: ("email", "e mail", "thu dien tu", "dia chi email", "email address"),
    PHONE: (
        "so dien thoai",
        "dien thoai",
        "sdt",
        "so dien thoai di dong",
        "phone",
        "phone number",
        "mobile",
        "mobile number",
    ),
    AUDIENCE: ("nhom doi tuong", "doi tuong", "audience group", "audience"),
    PROVINCE: ("tinh thanh pho", "tinh", "tinh thanh", "province", "province city"),
    DISTRICT: ("quan huyen dia chi cu", "quan huyen", "huyen", "quan", "district", "district old address"),
    COMMUNE: ("xa phuong", "xa", "phuong", "xa phuong dac khu", "commune", "ward", "commune ward"),
    ORGANISATION: ("co quan don vi", "co quan", "don vi", "organisation", "organization"),
    POSITION: ("chuc vu", "position", "job title"),
}
FIELD_BY_HEADER = {word: name for name, words in HEADER_WORDS.items() for word in words}
REQUIRED_FIELDS = (FULL_NAME, AUDIENCE, PROVINCE, COMMUNE)
# A person is reached by email or phone: the file needs at least one of the two columns.
CONTACT_FIELDS = (EMAIL, PHONE)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Bytes no text file holds (tab, line feed and carriage return are text).
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# The letters of Vietnamese, composed (NFC): the base vowels with each of the five tones, and đ.
_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
VIETNAMESE_LETTERS = frozenset(
    {unicodedata.normalize("NFC", vowel + tone) for vowel in _VOWELS for tone in _TONES}
    | {unicodedata.normalize("NFC", vowel + tone).upper() for vowel in _VOWELS for tone in _TONES}
    | set("đĐ")
    | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
)
# The characters that make a spreadsheet run a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RosterLine:
    """One row of the file as written (`number` is its row in the spreadsheet; the header is row 1)."""

    number: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")


@dataclass
class RosterFile:
    """What a file holds: its rows, or the one problem that refuses the whole file."""

    lines: list[RosterLine] = field(default_factory=list)
    problem: str = ""
    kind: str = ""


class Refused(Exception):
    """The whole file is refused; the message says why and what to do."""


def roster_read(uploaded: IO[bytes]) -> RosterFile:
    """Read an uploaded roster, told apart by its bytes; refuse the whole file with one precise message."""
    try:
        kind, rows = rows_of(uploaded)
        return RosterFile(lines=lines_from_rows(rows), kind=kind)
    except Refused as refusal:
        return RosterFile(problem=str(refusal))


def rows_of(uploaded: IO[bytes]) -> tuple[str, Iterator[list[str]]]:
    """Return the file's kind ("xlsx" or "csv") and its rows as lists of cell texts."""
    try:
        data = spreadsheet_first_look(
            uploaded,
            max_bytes=MAX_FILE_BYTES,
            max_unpacked=XLSX_MAX_UNPACKED_BYTES,
            not_a_spreadsheet=not_a_spreadsheet(),
        )
    except ValidationError as error:
        raise Refused(error.messages[0]) from error
    if data is None:
        return "xlsx", xlsx_rows(uploaded)
    return "csv", csv_rows(csv_text(data))


def not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet. Upload the template filled in, as an Excel workbook (.xlsx) or CSV.")


def csv_text(data: bytes) -> str:
    """Decode a CSV: UTF-8 (with or without BOM) strictly, else Windows-1258 if it reads as Vietnamese."""
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if text and is_plausible_vietnamese(text):
        return text
    raise Refused(
        _(
            "The file's encoding could not be read. In Excel, save it as “CSV UTF-8 (Comma delimited)” "
            "or as an Excel workbook (.xlsx), and upload it again."
        )
    )


def is_plausible_vietnamese(text: str) -> bool:
    """Return whether a decoded text holds only Vietnamese letters, and no combining mark left uncomposed.

    A Western European file (cp1252) decoded as cp1258 shows letters Vietnamese does not have (ß, ñ, Þ)
    or marks that compose with nothing, so it is refused rather than read wrong.
    """
    for char in text:
        if unicodedata.combining(char):
            return False
        if char.isalpha() and char not in VIETNAMESE_LETTERS:
            return False
    return True


def csv_rows(text: str) -> Iterator[list[str]]:
    """Yield the rows of a CSV separated by commas or semicolons (as its first lines show: a title may come first)."""
    first_lines = "\n".join(text.split("\n", 5)[:5])
    delimiter = ";" if first_lines.count(";") > first_lines.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise Refused(not_a_spreadsheet()) from error


def xlsx_rows(uploaded: IO[bytes]) -> Iterator[list[str]]:
    """Yield the first worksheet's rows; a formula cell as its cached value, else as its formula's text.

    The workbook is opened twice side by side, read-only: once for the values Excel cached, once for
    the formulas (openpyxl gives one or the other per opening). Nothing is ever evaluated.
    """
    from openpyxl import load_workbook

    data = uploaded.read()
    uploaded.seek(0)
    try:
        cached = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        written = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook: all mean the same.
        raise Refused(not_a_spreadsheet()) from error
    try:
        cached_rows = cached.worksheets[0].iter_rows(max_col=READ_MAX_COLUMNS, values_only=True)
        written_rows = written.worksheets[0].iter_rows(max_col=READ_MAX_COLUMNS, values_only=True)
        while True:
            try:
                values = next(cached_rows)
                formulas = next(written_rows)
            except StopIteration:
                return
            except (Exception, zipfile.BadZipFile) as error:
                raise Refused(not_a_spreadsheet()) from error
            yield [spreadsheet_cell_text(value, formula) for value, formula in zip(values, formulas, strict=False)]
    finally:
        cached.close()
        written.close()


def header_key(text: str) -> str:
    """Fold a header for matching: no diacritics, lower case, words separated by one space."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


def header_fields(header: Sequence[str]) -> dict[str, int]:
    """Map each known field to its column; refuse a file whose required columns are missing."""
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        name = FIELD_BY_HEADER.get(header_key(text))
        if name and name not in positions:
            positions[name] = index
    missing = [TEMPLATE_HEADERS[name] for name in REQUIRED_FIELDS if name not in positions]
    if not any(name in positions for name in CONTACT_FIELDS):
        missing.append(
            _("“%(email)s” or “%(phone)s”") % {"email": TEMPLATE_HEADERS[EMAIL], "phone": TEMPLATE_HEADERS[PHONE]}
        )
    if missing:
        raise Refused(
            _("These columns are missing: %(columns)s. Start from the template, keep its header row, and upload again.")
            % {"columns": ", ".join(f"“{name}”" if not name.startswith("“") else name for name in missing)}
        )
    return positions


def lines_from_rows(rows: Iterator[list[str]]) -> list[RosterLine]:
    """Find the header, then read each non-empty row after it, up to MAX_ROWS."""
    header = next(rows, None)
    # Header rows may be preceded by a title row or two; the header is the first row naming a known column.
    header_number = 1
    while header is not None and not any(header_key(text) in FIELD_BY_HEADER for text in header):
        if header_number >= 5:
            break
        header = next(rows, None)
        header_number += 1
    if header is None:
        raise Refused(_("The file has no header row. Start from the template and upload again."))
    positions = header_fields(header)
    lines: list[RosterLine] = []
    for number, cells in enumerate(rows, start=header_number + 1):
        values = {
            name: unicodedata.normalize("NFC", cells[index].strip())[:CELL_MAX_CHARS] if index < len(cells) else ""
            for name, index in positions.items()
        }
        if not any(values.values()):
            continue
        if len(lines) >= MAX_ROWS:
            raise Refused(
                _(
                    "The file has more than %(limit)s rows: at most %(limit)s people per file. "
                    "Split it into several files."
                )
                % {"limit": number_format(MAX_ROWS, force_grouping=True)}
            )
        lines.append(RosterLine(number=number, values=values))
    if not lines:
        raise Refused(_("The file has a header but no one in it."))
    return lines


def cell_neutralise(value: Any) -> Any:
    """Return the value, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_write(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], target: IO[bytes]) -> None:
    """Write sheets (title, header, rows) as one XLSX workbook, every text cell neutralised, row by row."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append(
                [
                    cell_neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value
                    for value in row
                ]
            )
    workbook.save(target)


# The template's example row: a new-style address; the district column is only for old-style ones.
TEMPLATE_EXAMPLE = {
    FULL_NAME: "Nguyễn Văn An",
    EMAIL: "nguyenvanan@example.vn",
    PHONE: "0912 345 678",
    PROVINCE: "Hà Nội",
    DISTRICT: "",
    COMMUNE: "Phường Ba Đình",
    ORGANISATION: "UBND phường Ba Đình",
    POSITION: "Chuyên viên",
}
TEMPLATE_SHEET = "Danh sách"
AUDIENCE_SHEET = "Nhóm đối tượng"


def template_write(target: IO[bytes], *, audience_labels: Sequence[str]) -> None:
    """Write the roster template: the header and an example row, and a sheet of the audience groups allowed.

    The headers are Vietnamese whatever the screen's language: they name the columns of a file that
    province staff fill in, and the reader accepts them in English too.
    """
    example = {**TEMPLATE_EXAMPLE, AUDIENCE: audience_labels[0] if audience_labels else ""}
    xlsx_write(
        [
            (TEMPLATE_SHEET, [TEMPLATE_HEADERS[name] for name in FIELDS], [[example[name] for name in FIELDS]]),
            (AUDIENCE_SHEET, [TEMPLATE_HEADERS[AUDIENCE]], [[label] for label in audience_labels]),
        ],
        target,
    )
