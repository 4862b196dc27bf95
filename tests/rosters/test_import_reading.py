"""Reading roster files (rosters.pure.spreadsheets): encodings, headers, formulas, limits. No database."""

import io
import re
import zipfile

from openpyxl import load_workbook

from rosters.pure import spreadsheets
from rosters.pure.spreadsheets import roster_read
from tests.rosters.roster_files import HEADER, csv_bytes, excel_cp1258, person, xlsx_bytes


def test_a_cp1258_csv_from_excel_on_windows_reads_as_the_same_vietnamese_text():
    text = csv_bytes([person(1, name="Nguyễn Thị Hằng", commune="Phường Hoàn Kiếm")]).decode()
    data = excel_cp1258(text)
    assert b"\xcc" in data or b"\xec" in data  # a tone written as a combining mark, as Excel does
    read = roster_read(io.BytesIO(data))
    assert read.problem == ""
    line = read.lines[0]
    assert line.get("full_name") == "Nguyễn Thị Hằng"
    assert line.get("commune") == "Phường Hoàn Kiếm"
    assert line.get("audience") == "Cán bộ, công chức, viên chức"


def test_a_utf8_csv_reads_with_and_without_its_byte_order_mark():
    for bom in (True, False):
        read = roster_read(io.BytesIO(csv_bytes([person(1)], bom=bom)))
        assert read.problem == ""
        assert read.lines[0].get("full_name") == "Nguyễn Thị Hằng 1"


def test_a_western_european_csv_is_refused_not_guessed():
    data = "Name,Email,Audience,Province,Commune\nJosé Müller,a@b.de,x,y,z\n".encode("cp1252")
    read = roster_read(io.BytesIO(data))
    assert read.lines == []
    assert "CSV UTF-8" in read.problem


def test_columns_are_found_by_english_or_unaccented_headers_in_any_order():
    header = ["COMMUNE", "province", "Full name", "ho va ten?", "Mobile number", "Audience group"]
    data = csv_bytes([["Ba Đình", "Hà Nội", "Trần An", "", "0912345678", "public"]], header=header)
    read = roster_read(io.BytesIO(data))
    assert read.problem == ""
    assert read.lines[0].values == {
        "commune": "Ba Đình",
        "province": "Hà Nội",
        "full_name": "Trần An",
        "phone": "0912345678",
        "audience": "public",
    }


def test_missing_columns_are_named():
    data = csv_bytes([["Trần An", "an@example.vn"]], header=["Họ và tên", "Email"])
    read = roster_read(io.BytesIO(data))
    for column in ("“Nhóm đối tượng”", "“Tỉnh/thành phố”", "“Xã/phường”"):
        assert column in read.problem
    assert "“Họ và tên”" not in read.problem


def test_a_file_without_email_or_phone_column_says_one_is_needed():
    header = ["Họ và tên", "Nhóm đối tượng", "Tỉnh/thành phố", "Xã/phường"]
    read = roster_read(io.BytesIO(csv_bytes([["An", "public", "Hà Nội", "Ba Đình"]], header=header)))
    assert "“Email” hoặc “Số điện thoại”" in read.problem


def test_formula_cells_read_as_their_text_and_are_never_evaluated():
    data = xlsx_bytes([person(1, name='=HYPERLINK("http://x","An")', email="=1+1")])
    read = roster_read(io.BytesIO(data))
    assert read.problem == ""
    assert read.lines[0].get("full_name") == '=HYPERLINK("http://x","An")'
    assert read.lines[0].get("email") == "=1+1"


def test_a_formula_cell_with_a_value_excel_cached_reads_as_that_value():
    data = xlsx_bytes([person(1, name="=A1")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    # Excel keeps a formula's last result beside it: <f>A1</f><v>…</v> (a string result: t="str").
    sheet = re.sub(r'<c r="A2"><f>A1</f><v\s*/>', '<c r="A2" t="str"><f>A1</f><v>Lê Văn Cường</v>', sheet)
    assert "Lê Văn Cường" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    read = roster_read(io.BytesIO(target.getvalue()))
    assert read.lines[0].get("full_name") == "Lê Văn Cường"


def test_100000_rows_are_refused_with_the_limit_stated():
    rows = [[f"N{n}", f"p{n}@x.vn", "", "public", "Hà Nội", "", "Ba Đình", "", ""] for n in range(100_000)]
    data = csv_bytes(rows)
    assert len(data) < spreadsheets.MAX_FILE_BYTES
    read = roster_read(io.BytesIO(data))
    assert read.lines == []
    assert "20,000" in read.problem or "20.000" in read.problem


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_its_content():
    for data in (b"%PDF-1.7 not a roster", b"\x00\x01\x02binary", b"PK\x03\x04broken zip"):
        read = roster_read(io.BytesIO(data))
        assert read.lines == [] and read.problem


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "spreadsheetml.sheet.main+xml")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (80 * 1024 * 1024))
    read = roster_read(io.BytesIO(target.getvalue()))
    assert read.lines == [] and "bom giải nén" in read.problem


def test_the_report_writes_a_formula_as_text():
    target = io.BytesIO()
    spreadsheets.xlsx_write([("Report", ["Name"], [["=cmd|' /C calc'!A0"], ["+84912"], ["An"]])], target)
    sheet = load_workbook(io.BytesIO(target.getvalue())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["'=cmd|' /C calc'!A0", "'+84912", "An"]


def test_the_template_has_the_vietnamese_headers_an_example_and_the_audience_groups():
    target = io.BytesIO()
    spreadsheets.template_write(target, audience_labels=["Nhóm một", "Nhóm hai"])
    workbook = load_workbook(io.BytesIO(target.getvalue()))
    rows = list(workbook["Danh sách"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][0] == "Nguyễn Văn An" and rows[1][3] == "Nhóm một"
    assert [row[0] for row in workbook["Nhóm đối tượng"].iter_rows(min_row=2, values_only=True)] == [
        "Nhóm một",
        "Nhóm hai",
    ]
    # The template reads back without a problem.
    assert roster_read(io.BytesIO(target.getvalue())).problem == ""


def test_a_semicolon_csv_with_a_title_row_above_the_header_reads():
    text = "DANH SÁCH CÁN BỘ XÃ\n" + ";".join(HEADER) + "\nTrần An;an@example.vn;;public;Hà Nội;;Ba Đình;;\n"
    read = roster_read(io.BytesIO(text.encode()))
    assert read.problem == ""
    assert [(line.number, line.get("full_name"), line.get("commune")) for line in read.lines] == [
        (3, "Trần An", "Ba Đình")
    ]
