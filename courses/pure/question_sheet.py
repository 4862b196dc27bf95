"""Question spreadsheets: reading an uploaded XLSX or CSV into plain rows. Pure: no ORM, no storage.

The file's format is fixed by `COLUMNS`, the Vietnamese headers of the downloadable template
(courses.pure.question_template). They are not translated: they name the columns of a file that
authors fill in and upload again whatever language their screen shows, so they are the same in every
language, like the examples.

Invariants callers may rely on:
- `sheet_read` never raises for what a file contains: every problem comes back as a `SheetProblem`
  with its spreadsheet row number (the header is row 1) and column header, or without a row when the
  whole file is refused (not a spreadsheet, not the template's header, too large, a zip bomb);
- a `QuestionRow` without problems satisfies `choices_problem` and the model's lengths, so it can be
  stored as it is.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from courses.media.office_files import spreadsheet_cell_text, spreadsheet_first_look
from courses.pure.question_rules import (
    CHOICE_LETTERS,
    CHOICE_MAX_LENGTH,
    KIND_LABELS,
    MULTIPLE,
    SINGLE,
    TAG_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TRUE_FALSE,
    ChoiceRow,
    ChoicesProblem,
    choices_problems,
    question_import_key,
    tag_names_split,
    text_clean,
)
from courses.pure.search import fold

COLUMN_TEXT = "Câu hỏi"
COLUMN_KIND = "Loại câu hỏi"
COLUMN_CHOICES = tuple(f"Đáp án {letter}" for letter in CHOICE_LETTERS)
COLUMN_CORRECT = "Đáp án đúng"
COLUMN_EXPLANATION = "Giải thích"
COLUMN_TAGS = "Thẻ"
COLUMNS = (COLUMN_TEXT, COLUMN_KIND, *COLUMN_CHOICES, COLUMN_CORRECT, COLUMN_EXPLANATION, COLUMN_TAGS)

# What an author writes in the kind column: the template's words, with or without diacritics,
# or the codes stored in the database.
KIND_WORDS = {
    SINGLE: ("mot dap an", "mot lua chon", "chon mot", "single"),
    MULTIPLE: ("nhieu dap an", "nhieu lua chon", "chon nhieu", "multiple"),
    TRUE_FALSE: ("dung/sai", "dung sai", "dung - sai", "dung-sai", "true/false", "true false", "true_false"),
}
KIND_BY_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 1000
# A workbook that unpacks to more than this is not a question list (nor is a sheet this long).
XLSX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
READ_MAX_ROWS = 20 * MAX_QUESTIONS
# Columns read from a worksheet: the template's, and a margin to recognise a wrong header.
READ_MAX_COLUMNS = len(COLUMNS) + 10

# Bytes that no text file holds (a tab, line feed and carriage return are text).
_LETTER_SEPARATORS = re.compile(r"[\s,;/]+")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class QuestionRow:
    """One question read from a spreadsheet row (`row` is its number in the file)."""

    row: int
    kind: str
    text: str
    choices: tuple[ChoiceRow, ...]
    explanation: str = ""
    tags: tuple[str, ...] = ()

    @property
    def import_key(self) -> str:
        return question_import_key(kind=self.kind, text=self.text, choices=self.choices)


@dataclass(frozen=True)
class SheetProblem:
    """What is wrong in a file: at a row and column, or with the whole file when `row` is None."""

    message: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Sheet:
    """What a file holds: its questions if every row is right, else every problem found."""

    rows: list[QuestionRow] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)


def sheet_read(uploaded: IO[bytes]) -> Sheet:
    """Read an uploaded XLSX or CSV file of questions, told apart by its bytes, not its name."""
    try:
        data = spreadsheet_first_look(
            uploaded,
            max_bytes=MAX_FILE_BYTES,
            max_unpacked=XLSX_MAX_UNPACKED_BYTES,
            not_a_spreadsheet=not_a_spreadsheet(),
        )
    except ValidationError as error:
        return refused(error.messages[0])
    if data is None:
        return sheet_from_rows(xlsx_rows(uploaded))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return refused(_("The CSV file is not in UTF-8. In Excel, save it as “CSV UTF-8 (Comma delimited)”."))
    return sheet_from_rows(csv_rows(text))


def not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet. Upload the template filled in, as an Excel workbook (.xlsx) or CSV.")


def refused(message: str) -> Sheet:
    return Sheet(problems=[SheetProblem(message)])


class Unreadable(Exception):
    """The file claimed to be a spreadsheet but could not be read as one."""


def xlsx_rows(uploaded: IO[bytes]) -> Iterator[list[str]]:
    """Yield the first worksheet's rows as lists of cell texts."""
    from openpyxl import load_workbook

    # openpyxl raises many kinds of errors for a damaged workbook or a zip that is not one: all
    # mean the same to the author. Its XML is parsed with defusedxml (installed with fpdf2).
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
    except Exception as error:
        raise Unreadable from error
    try:
        rows = workbook.worksheets[0].iter_rows(max_col=READ_MAX_COLUMNS, values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise Unreadable from error
            yield [spreadsheet_cell_text(value) for value in values]
    finally:
        workbook.close()


def csv_rows(text: str) -> Iterator[list[str]]:
    """Yield the rows of a CSV text separated by commas or semicolons (as the header line shows)."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise Unreadable from error


def sheet_from_rows(rows: Iterator[list[str]]) -> Sheet:
    """Check the header, then read each row after it; empty rows are skipped."""
    sheet = Sheet()
    questions = 0
    try:
        header = next(rows, None)
        header_problem = header_check(header)
        if header_problem:
            return refused(header_problem)
        positions = {fold(name): index for index, name in enumerate(header) if name.strip()}
        columns = {column: positions[fold(column)] for column in COLUMNS}
        for number, values in enumerate(rows, start=2):
            cells = {column: values[index].strip() if index < len(values) else "" for column, index in columns.items()}
            if not any(cells.values()):
                if number > READ_MAX_ROWS:
                    return refused(too_many())
                continue
            questions += 1
            if questions > MAX_QUESTIONS:
                return refused(too_many())
            row, problems = question_row_read(number, cells)
            if problems:
                sheet.problems.extend(problems)
            else:
                sheet.rows.append(row)
    except Unreadable:
        return refused(not_a_spreadsheet())
    if not sheet.rows and not sheet.problems:
        return refused(_("The file has no question below its header row."))
    return sheet


def too_many() -> str:
    return _("The file has more than %(count)d questions. Split it into several files.") % {"count": MAX_QUESTIONS}


def header_check(header: list[str] | None) -> str | None:
    """Return why the first row is not the template's header, or None when it is."""
    names = [fold(name) for name in header or [] if name and name.strip()]
    expected = [fold(column) for column in COLUMNS]
    missing = [column for column in COLUMNS if fold(column) not in names]
    unknown = [name for name in (header or []) if name and name.strip() and fold(name) not in expected]
    repeated = len(names) != len(set(names))
    if not missing and not unknown and not repeated:
        return None
    details = []
    if missing:
        details.append(_("missing columns: %(columns)s") % {"columns": ", ".join(f"“{c}”" for c in missing)})
    if unknown:
        details.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(f"“{c.strip()}”" for c in unknown)})
    if repeated:
        details.append(_("a column appears twice"))
    return _(
        "The first row is not the header of the template (%(details)s). Download the template and keep its first row."
    ) % {"details": "; ".join(details)}


def question_row_read(number: int, cells: dict[str, str]) -> tuple[QuestionRow | None, list[SheetProblem]]:
    """Read one row into a question, or return every problem it has."""
    problems: list[SheetProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(SheetProblem(message, row=number, column=column))

    text = text_clean(cells[COLUMN_TEXT])
    if not text:
        problem(COLUMN_TEXT, _("the question text is missing."))
    elif len(text) > TEXT_MAX_LENGTH:
        problem(COLUMN_TEXT, _("the question is longer than %(count)d characters.") % {"count": TEXT_MAX_LENGTH})

    kind = KIND_BY_WORD.get(fold(cells[COLUMN_KIND]))
    if not cells[COLUMN_KIND]:
        problem(COLUMN_KIND, _("the kind of question is missing. Write one of: %(kinds)s.") % kinds_accepted())
    elif kind is None:
        problem(
            COLUMN_KIND,
            _("“%(value)s” is not a kind of question. Write one of: %(kinds)s.")
            % {"value": cells[COLUMN_KIND], **kinds_accepted()},
        )

    texts = {letter: text_clean(cells[column]) for letter, column in zip(CHOICE_LETTERS, COLUMN_CHOICES, strict=True)}
    for letter, column in zip(CHOICE_LETTERS, COLUMN_CHOICES, strict=True):
        if len(texts[letter]) > CHOICE_MAX_LENGTH:
            problem(column, _("the answer is longer than %(count)d characters.") % {"count": CHOICE_MAX_LENGTH})
    filled = [letter for letter in CHOICE_LETTERS if texts[letter]]

    correct, correct_ok = correct_letters_read(cells[COLUMN_CORRECT], filled, problem)
    choices = tuple(ChoiceRow(texts[letter], letter in correct) for letter in filled)
    # The rule is courses.pure.question_rules'; a missing correct answer was said by the letters' column.
    for found in choices_problems(kind, choices):
        if found == ChoicesProblem.TRUE_FALSE_NOT_TWO:
            problem(
                COLUMN_CHOICES[0],
                _(
                    "a true or false question has exactly two answers, in columns “%(a)s” and “%(b)s” "
                    "(for example Đúng, Sai)."
                )
                % {"a": COLUMN_CHOICES[0], "b": COLUMN_CHOICES[1]},
            )
        elif found == ChoicesProblem.TOO_FEW:
            problem(
                COLUMN_CHOICES[0],
                _("a question needs at least two answers; this row has %(count)d.") % {"count": len(filled)},
            )
        elif found == ChoicesProblem.SAME_TWICE:
            problem(COLUMN_CHOICES[0], _("two answers of this question are the same."))
        elif found == ChoicesProblem.SEVERAL_CORRECT and correct_ok:
            problem(
                COLUMN_CORRECT,
                _("a question of kind “%(kind)s” has one correct answer, but %(letters)s are given.")
                % {"kind": KIND_LABELS[kind], "letters": ", ".join(sorted(correct))},
            )

    tags = tag_names_split(cells[COLUMN_TAGS])
    for tag in tags:
        if len(tag) > TAG_MAX_LENGTH:
            problem(
                COLUMN_TAGS,
                _("the tag “%(tag)s…” is longer than %(count)d characters.")
                % {"tag": tag[:20], "count": TAG_MAX_LENGTH},
            )

    if problems or kind is None:
        return None, problems
    row = QuestionRow(
        row=number,
        kind=kind,
        text=text,
        choices=choices,
        explanation=text_clean(cells[COLUMN_EXPLANATION]),
        tags=tuple(tags),
    )
    return row, []


def correct_letters_read(value: str, filled: list[str], problem) -> tuple[set[str], bool]:
    """Read "A" or "A, C" from the correct-answer column; report letters that are not choices."""
    tokens = [token for token in _LETTER_SEPARATORS.split(value.strip().upper()) if token]
    if not tokens:
        problem(COLUMN_CORRECT, _("no correct answer is given. Write the letter of the correct answer, for example A."))
        return set(), False
    if any(len(token) != 1 or token not in CHOICE_LETTERS for token in tokens):
        problem(
            COLUMN_CORRECT,
            _("“%(value)s” is not the letter of an answer. Write letters from A to %(last)s, for example A or A, C.")
            % {"value": value.strip(), "last": CHOICE_LETTERS[-1]},
        )
        return set(), False
    ok = True
    letters = set()
    for token in tokens:
        if token not in filled:
            problem(
                COLUMN_CORRECT,
                _("the correct answer %(letter)s names an answer that does not exist: column “%(column)s” is empty.")
                % {"letter": token, "column": COLUMN_CHOICES[CHOICE_LETTERS.index(token)]},
            )
            ok = False
        else:
            letters.add(token)
    return letters, ok


def kinds_accepted() -> dict[str, str]:
    return {"kinds": ", ".join(f"“{label}”" for label in KIND_LABELS.values())}
