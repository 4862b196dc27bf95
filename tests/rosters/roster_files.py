"""Roster files as provinces send them, built in memory for the tests of rosters imports."""

import csv
import io
import unicodedata

from openpyxl import Workbook

HEADER = [
    "Họ và tên",
    "Email",
    "Số điện thoại",
    "Nhóm đối tượng",
    "Tỉnh/thành phố",
    "Quận/huyện (địa chỉ cũ)",
    "Xã/phường",
    "Cơ quan/đơn vị",
    "Chức vụ",
]
AUDIENCE = "Cán bộ, công chức, viên chức"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def person(
    number: int, *, commune: str = "Phường Hoàn Kiếm", province: str = "Hà Nội", district: str = "", **fields
) -> list[str]:
    row = {
        "name": f"Nguyễn Thị Hằng {number}",
        "email": f"can.bo.{number}@example.vn",
        "phone": "",
        "audience": AUDIENCE,
        "organisation": "UBND phường",
        "position": "Chuyên viên",
        **fields,
    }
    return [
        row["name"],
        row["email"],
        row["phone"],
        row["audience"],
        province,
        district,
        commune,
        row["organisation"],
        row["position"],
    ]


def csv_bytes(rows: list[list[str]], *, header: list[str] = HEADER, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def excel_cp1258(text: str) -> bytes:
    """Encode as Excel on Windows saves Vietnamese CSV: the letter's shape precomposed, its tone a combining mark."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(mark for mark in decomposed if mark in TONES)
        out.append(unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in TONES)) + tone)
    return "".join(out).encode("cp1258")


def xlsx_bytes(rows: list[list], *, header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()
