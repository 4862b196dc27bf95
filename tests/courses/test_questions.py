"""Question spreadsheets, read without the database: the template, each kind of bad row, bad files, the key."""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from courses.pure import question_sheet
from courses.pure.question_rules import (
    KIND_LABELS,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ChoiceRow,
    choices_problem,
    question_import_key,
)
from courses.pure.question_sheet import (
    COLUMN_CHOICES,
    COLUMN_CORRECT,
    COLUMN_KIND,
    COLUMN_TAGS,
    COLUMN_TEXT,
    COLUMNS,
    sheet_read,
)
from courses.pure.question_template import template_csv, template_xlsx

A, B, C, D = COLUMN_CHOICES[:4]


@pytest.fixture(autouse=True)
def english():
    """Problems are matched on their English text; the site's default language is Vietnamese."""
    with translation.override("en"):
        yield


def row(**cells: str) -> list[str]:
    """A data row in the template's column order, from cells named by their header."""
    return [cells.get(column, "") for column in COLUMNS]


def good_row(**cells: str) -> list[str]:
    values = {COLUMN_TEXT: "Mã OTP là gì?", COLUMN_KIND: "Một đáp án", A: "Mật khẩu dùng một lần", B: "Số tài khoản"}
    return row(**(values | {COLUMN_CORRECT: "A"} | cells))


def xlsx_file(rows: list[list], *, header: list[str] | tuple = COLUMNS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def csv_file(rows: list[list], *, header=COLUMNS, delimiter: str = ",", bom: bool = False) -> io.BytesIO:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def problems_at(sheet) -> set[tuple[int | None, str]]:
    return {(problem.row, problem.column) for problem in sheet.problems}


# --- The template -----------------------------------------------------------------------------------


@pytest.mark.parametrize("write", [template_xlsx, template_csv])
def test_downloaded_template_reads_back_as_its_example_questions(write):
    """The template, read again, gives its three examples: single choice, multiple choice and true/false."""
    sheet = sheet_read(io.BytesIO(write()))

    assert sheet.problems == []
    assert [question.kind for question in sheet.rows] == [SINGLE, MULTIPLE, TRUE_FALSE]
    single, multiple, true_false = sheet.rows
    assert [choice.is_correct for choice in single.choices] == [False, True, False, False]
    assert single.choices[1].text == "Không cung cấp mã OTP cho bất kỳ ai"
    assert [choice.is_correct for choice in multiple.choices] == [True, True, True, False]
    assert multiple.tags == ("Dịch vụ công", "VNeID")
    assert [(c.text, c.is_correct) for c in true_false.choices] == [("Đúng", True), ("Sai", False)]
    assert single.explanation.startswith("Mã OTP chỉ dành cho bạn.")
    assert [question.row for question in sheet.rows] == [2, 3, 4]


def test_excel_template_has_the_vietnamese_headers_in_its_first_row():
    """The Excel template's first row holds the Vietnamese column headers, in order."""
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    headers = [cell.value for cell in workbook.active[1]]

    assert headers == list(COLUMNS)
    assert headers[:2] == ["Câu hỏi", "Loại câu hỏi"]
    assert "Đáp án đúng" in headers


def test_csv_template_starts_with_a_byte_order_mark_so_excel_shows_vietnamese():
    """The CSV template is UTF-8 with a byte-order mark and comma-separated Vietnamese headers."""
    data = template_csv()

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)


# --- Good files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (",", True), (";", False), (";", True)])
def test_csv_with_comma_or_semicolon_and_with_or_without_bom_is_read(delimiter, bom):
    """A CSV file reads the same with commas or semicolons, with or without a byte-order mark."""
    sheet = sheet_read(csv_file([good_row(), good_row(**{COLUMN_TEXT: "Câu hai"})], delimiter=delimiter, bom=bom))

    assert sheet.problems == []
    assert [question.text for question in sheet.rows] == ["Mã OTP là gì?", "Câu hai"]


def test_kinds_are_recognised_with_or_without_diacritics_and_as_codes():
    """The kind column accepts the template's words, the same without diacritics, and the stored codes."""
    kinds = ["Một đáp án", "mot dap an", "single", "Nhiều đáp án", "NHIEU DAP AN", "multiple", "Đúng/Sai", "dung sai"]
    rows = [good_row(**{COLUMN_TEXT: f"Câu {n}", COLUMN_KIND: kind}) for n, kind in enumerate(kinds)]

    sheet = sheet_read(xlsx_file(rows))

    assert sheet.problems == []
    assert [q.kind for q in sheet.rows] == [SINGLE] * 3 + [MULTIPLE] * 3 + [TRUE_FALSE] * 2


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_file():
    """Empty rows are skipped; problems and questions keep their row number in the file."""
    rows = [good_row(), row(), row(), good_row(**{COLUMN_TEXT: ""})]

    sheet = sheet_read(xlsx_file(rows))

    assert problems_at(sheet) == {(5, COLUMN_TEXT)}


def test_numbers_in_excel_cells_are_read_as_written():
    """A number typed in an Excel cell is read as it shows (2020, not 2020.0)."""
    sheet = sheet_read(xlsx_file([good_row(**{A: 2020, B: 2.5})]))

    assert [choice.text for choice in sheet.rows[0].choices] == ["2020", "2.5"]


def test_several_correct_letters_are_read_with_any_separator():
    """ "A, C", "A;C" and "a c" all name answers A and C of a multiple-choice question."""
    rows = [
        good_row(**{COLUMN_TEXT: f"Câu {n}", COLUMN_KIND: "Nhiều đáp án", C: "Ba", COLUMN_CORRECT: value})
        for n, value in enumerate(["A, C", "A;C", "a c"])
    ]

    sheet = sheet_read(csv_file(rows))

    assert [[c.is_correct for c in q.choices] for q in sheet.rows] == [[True, False, True]] * 3


# --- Bad rows: every one is reported, with its row and column --------------------------------------


BAD_ROWS = [
    ("missing question text", {COLUMN_TEXT: "  "}, COLUMN_TEXT, "question text is missing"),
    ("unknown kind", {COLUMN_KIND: "Tự luận"}, COLUMN_KIND, "“Tự luận” is not a kind of question"),
    ("missing kind", {COLUMN_KIND: ""}, COLUMN_KIND, "kind of question is missing"),
    ("one choice", {B: ""}, A, "at least two answers; this row has 1"),
    ("no correct answer", {COLUMN_CORRECT: ""}, COLUMN_CORRECT, "no correct answer is given"),
    ("several correct for single", {COLUMN_CORRECT: "A, B"}, COLUMN_CORRECT, "has one correct answer, but A, B"),
    (
        "several correct for true/false",
        {COLUMN_KIND: "Đúng/Sai", A: "Đúng", B: "Sai", COLUMN_CORRECT: "A,B"},
        COLUMN_CORRECT,
        "has one correct answer, but A, B",
    ),
    ("true/false with three answers", {COLUMN_KIND: "Đúng/Sai", C: "Không biết"}, A, "exactly two answers"),
    ("correct names an empty choice", {COLUMN_CORRECT: "D"}, COLUMN_CORRECT, "D names an answer that does not exist"),
    ("correct is not a letter", {COLUMN_CORRECT: "Mật khẩu"}, COLUMN_CORRECT, "is not the letter of an answer"),
    ("same answer twice", {B: "mật khẩu  dùng một lần"}, A, "two answers of this question are the same"),
    ("answer too long", {C: "x" * 501}, C, "longer than 500 characters"),
]


@pytest.mark.parametrize(("case", "cells", "column", "message"), BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
@pytest.mark.parametrize("make", [xlsx_file, csv_file], ids=["xlsx", "csv"])
def test_bad_row_is_reported_with_its_row_column_and_reason(make, case, cells, column, message):
    """Each kind of bad row is reported at its row and column with a precise reason, and gives no question."""
    sheet = sheet_read(make([good_row(), good_row(**{COLUMN_TEXT: "Câu hỏi thứ hai", **cells})]))

    assert [q.row for q in sheet.rows] == [2]
    assert len(sheet.problems) == 1, [str(p) for p in sheet.problems]
    problem = sheet.problems[0]
    assert (problem.row, problem.column) == (3, column)
    assert message in problem.message
    assert str(problem).startswith(f"Row 3, column “{column}”: ")


def test_every_problem_of_every_row_is_reported():
    """A file with several bad rows reports them all, several per row where a row has several problems."""
    rows = [
        good_row(**{COLUMN_TEXT: "", COLUMN_CORRECT: ""}),
        good_row(),
        good_row(**{COLUMN_KIND: "Tự luận", COLUMN_TEXT: "Câu khác"}),
    ]

    sheet = sheet_read(xlsx_file(rows))

    assert problems_at(sheet) == {(2, COLUMN_TEXT), (2, COLUMN_CORRECT), (4, COLUMN_KIND)}
    assert [q.row for q in sheet.rows] == [3]


def test_tags_are_split_trimmed_and_deduplicated():
    """Tags separated by commas or semicolons are trimmed, and a repeat (any letter case) is dropped."""
    sheet = sheet_read(csv_file([good_row(**{COLUMN_TAGS: " An toàn ;Lừa đảo, an toàn,, "})]))

    assert sheet.rows[0].tags == ("An toàn", "Lừa đảo")


# --- Bad files ---------------------------------------------------------------------------------------


def whole_file_problem(sheet) -> str:
    assert sheet.rows == []
    assert len(sheet.problems) == 1
    assert sheet.problems[0].row is None
    return sheet.problems[0].message


def zip_bytes(names: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        zip_bytes({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
        b"PK\x03\x04 this is not really a zip",
    ],
    ids=["pdf", "png", "docx-like zip", "broken zip"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_whole(data):
    """A PDF, an image, another kind of zip or a broken one is refused as not a spreadsheet."""
    message = whole_file_problem(sheet_read(io.BytesIO(data)))

    assert message.startswith("This file is not a spreadsheet.")


def test_an_old_xls_file_is_refused_with_how_to_save_it():
    """An old .xls workbook is refused with the advice to save it as .xlsx or CSV UTF-8."""
    message = whole_file_problem(sheet_read(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)))

    assert "old Excel file (.xls)" in message


def test_a_csv_not_in_utf8_is_refused_with_how_to_save_it():
    """A CSV saved in a legacy encoding is refused with the advice to save it as CSV UTF-8."""
    text = "\r\n".join([",".join(COLUMNS), ",".join(good_row())]) + "\r\n"
    data = text.encode("cp1252", errors="replace")  # "â" is one byte there, never valid UTF-8

    message = whole_file_problem(sheet_read(io.BytesIO(data)))

    assert "not in UTF-8" in message


@pytest.mark.parametrize("make", [xlsx_file, csv_file], ids=["xlsx", "csv"])
def test_a_header_that_is_not_the_templates_is_refused_naming_the_columns(make):
    """A first row other than the template's header is refused, naming the missing and unknown columns."""
    header = [column for column in COLUMNS if column != COLUMN_CORRECT] + ["Điểm"]

    message = whole_file_problem(sheet_read(make([good_row()], header=header)))

    assert message.startswith("The first row is not the header of the template")
    assert "missing columns: “Đáp án đúng”" in message
    assert "unknown columns: “Điểm”" in message


def test_header_columns_may_come_in_another_order_or_letter_case():
    """The template's columns are found by their header, in any order and letter case."""
    header = [column.upper() for column in reversed(COLUMNS)]
    values = list(reversed(good_row()))

    sheet = sheet_read(csv_file([values], header=header))

    assert sheet.problems == []
    assert sheet.rows[0].text == "Mã OTP là gì?"


def test_empty_file_and_file_without_questions_are_refused():
    """An empty file, and a file with only the header, are refused whole."""
    assert whole_file_problem(sheet_read(io.BytesIO(b""))) == "The file is empty."
    assert "no question below its header" in whole_file_problem(sheet_read(csv_file([])))


def test_a_file_with_too_many_questions_is_refused(monkeypatch):
    """A file with more questions than one import takes is refused whole, asking to split it."""
    monkeypatch.setattr(question_sheet, "MAX_QUESTIONS", 3)
    rows = [good_row(**{COLUMN_TEXT: f"Câu {n}"}) for n in range(4)]

    message = whole_file_problem(sheet_read(csv_file(rows)))

    assert "more than 3 questions" in message


def test_a_file_larger_than_the_limit_is_refused_before_reading(monkeypatch):
    """A file over the size limit is refused whole without being parsed."""
    monkeypatch.setattr(question_sheet, "MAX_FILE_BYTES", 100)

    message = whole_file_problem(sheet_read(csv_file([good_row()] * 5)))

    assert message.startswith("The file is too large")


# --- The key that finds a question again ------------------------------------------------------------


def key(kind=SINGLE, text="Mã OTP là gì?", choices=(("Mật khẩu", True), ("Số thẻ", False))) -> str:
    return question_import_key(kind=kind, text=text, choices=[ChoiceRow(t, c) for t, c in choices])


def test_import_key_ignores_spacing_letter_case_and_choice_order():
    """The same question written with other spacing, letter case or choice order has the same key."""
    assert key() == key(text="  mã  OTP là GÌ? ", choices=(("Số  thẻ", False), ("MẬT KHẨU", True)))
    assert len(key()) == 64


@pytest.mark.parametrize(
    "changed",
    [
        {"kind": MULTIPLE},
        {"text": "Ma OTP la gi?"},
        {"choices": (("Mật khẩu", False), ("Số thẻ", True))},
        {"choices": (("Mật khẩu", True), ("Số thẻ", False), ("Tên", False))},
    ],
    ids=["kind", "diacritics", "correct answer", "one more choice"],
)
def test_import_key_changes_with_kind_diacritics_correct_answer_or_choices(changed):
    """Another kind, other diacritics, another correct answer or another choice make another key."""
    assert key(**changed) != key()


@pytest.mark.parametrize(
    "kind, texts, correct",
    [
        (SINGLE, ["Có", "Không"], "A"),
        (SINGLE, ["Có"], "A"),
        (SINGLE, ["Có", "có "], "A"),
        (SINGLE, ["Có", "Không", "Có thể"], "A, B"),
        (MULTIPLE, ["Có", "Không", "Có thể"], "A, C"),
        (TRUE_FALSE, ["Đúng", "Sai", "Không biết"], "A"),
        (TRUE_FALSE, ["Đúng", "Sai"], "B"),
    ],
)
def test_a_spreadsheet_row_and_the_studio_form_refuse_the_same_choices(kind, texts, correct):
    """The choice rules are stated once: a row is refused for its choices exactly when choices_problem refuses them."""
    letters = "ABCDEF"
    choices = [ChoiceRow(text, letter in correct) for letter, text in zip(letters, texts, strict=False)]
    cells = {COLUMN_TEXT: "Có đúng không?", COLUMN_KIND: KIND_LABELS[kind], COLUMN_CORRECT: correct}
    cells.update({COLUMN_CHOICES[index]: text for index, text in enumerate(texts)})
    sheet = sheet_read(csv_file([row(**cells)]))

    assert bool(sheet.problems) == (choices_problem(kind, choices) is not None)
