"""Certificates as documents: their codes, who issues them, their addresses, and their PDF pages with a QR code.

Pure functions over plain data; no ORM. The invariants callers rely on:

- A code is 16 characters drawn by `secrets` from a 32-letter alphabet without look-alikes
  (80 bits), written in groups of four ("K7QF-3MZP-W2HD-9XAC"). `code_normalise` accepts what a
  person types (any case, spaces, dashes) and returns the written form, or "" if it cannot be a code.
- The wording is Vietnamese whatever language the learner chose, with English beneath as on
  bilingual certificates. It is fixed here rather than taken from the translation catalogue: a
  certificate is an official document, and a missing translation must never print an English one.
- Text is normalised to NFC before it is drawn: the embedded DejaVu fonts (shipped in
  learners/pure/fonts/ under their licence) hold every precomposed Vietnamese letter, so "ễ" is one glyph
  and a PDF reader extracts it back as one character.
"""

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.urls import reverse
from fpdf import FPDF
from fpdf.enums import XPos, YPos

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4
# What people type between the groups of a code, and what a copy from a PDF or a chat may add.
CODE_SEPARATORS = str.maketrans("", "", " -‐‑‒–—_.\t\r\n\u00a0")

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": FONTS_DIR / "DejaVuSans.ttf", "B": FONTS_DIR / "DejaVuSans-Bold.ttf"}

# A province's course is certified by that province's Department of Science and Technology.
PROVINCE_ISSUER_FORMAT = "Sở Khoa học và Công nghệ {province}"

# A4 landscape, in millimetres.
PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0
MARGIN = 12.0
QR_SIZE = 34.0
NAVY = (18, 52, 110)
RED = (178, 34, 34)
GREY = (90, 90, 90)


def site_url(path: str) -> str:
    """Return the absolute address of a path of this site, as printed on certificates and in emails."""
    return f"{settings.SITE_URL}{path}"


def certificate_verify_url(code: str) -> str:
    """Return the public verification address of a certificate, the one its QR code holds."""
    return site_url(reverse("certificates:verify", args=[code]))


@dataclass(frozen=True)
class CertificateContent:
    """What one certificate says; every text as it was frozen when the certificate was issued."""

    code: str
    learner_name: str
    course_title: str
    issuer_name: str
    completed_on: date
    verify_url: str
    course_run_title: str = ""
    province_name: str = ""
    commune_name: str = ""


def code_make() -> str:
    """Return a new random certificate code in its written form."""
    return code_format("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def code_format(bare: str) -> str:
    return "-".join(bare[i : i + CODE_GROUP] for i in range(0, len(bare), CODE_GROUP))


def code_normalise(typed: object) -> str:
    """Return the written form of a typed code (case, spaces and dashes ignored), or "" if malformed."""
    if not isinstance(typed, str) or len(typed) > 64:
        return ""
    bare = typed.translate(CODE_SEPARATORS).upper()
    if len(bare) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in bare):
        return ""
    return code_format(bare)


def issuer_name_for(*, province_name: str | None) -> str:
    """Return who issues a course's certificates: the ministry, or the owning province's Department."""
    if not province_name:
        return settings.CERTIFICATE_NATIONAL_ISSUER
    return getattr(settings, "CERTIFICATE_PROVINCE_ISSUER_FORMAT", PROVINCE_ISSUER_FORMAT).format(
        province=province_name
    )


def date_vietnamese(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def certificate_pdf(content: CertificateContent) -> bytes:
    """Render one certificate as a one-page A4 landscape PDF."""
    return certificates_pdf([content])


def certificates_pdf(contents: Iterable[CertificateContent]) -> bytes:
    """Render certificates one per page into a single PDF, for printing many at once."""
    pdf = document_new()
    for content in contents:
        page_draw(pdf, content_normalised(content))
    if pdf.page == 0:
        pdf.add_page()  # a PDF needs a page; an empty batch prints one blank sheet
    return bytes(pdf.output())


# --- Drawing ------------------------------------------------------------------------------------


@cache
def font_files() -> dict[str, str]:
    """Return the shipped font files, failing early and clearly if one is missing."""
    for path in FONT_FILES.values():
        if not path.is_file():
            raise FileNotFoundError(f"Certificate font missing: {path}")
    return {style: str(path) for style, path in FONT_FILES.items()}


def document_new() -> FPDF:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_lang("vi")
    pdf.set_creator("OneTouch")
    pdf.set_title("Giấy chứng nhận hoàn thành khóa học")
    for style, path in font_files().items():
        pdf.add_font(FONT_FAMILY, style, path)
    return pdf


def content_normalised(content: CertificateContent) -> CertificateContent:
    texts = {
        name: unicodedata.normalize("NFC", " ".join(str(getattr(content, name)).split()))
        for name in (
            "learner_name",
            "course_title",
            "course_run_title",
            "issuer_name",
            "province_name",
            "commune_name",
        )
    }
    return replace(content, **texts)


def page_draw(pdf: FPDF, content: CertificateContent) -> None:
    pdf.add_page()
    frame_draw(pdf)
    header_draw(pdf, content)

    pdf.set_y(52)
    pdf.set_text_color(*RED)
    text_line(pdf, "GIẤY CHỨNG NHẬN", size=30, bold=True, height=13)
    pdf.set_text_color(*NAVY)
    text_line(pdf, "HOÀN THÀNH KHÓA HỌC", size=17, bold=True, height=9)
    pdf.set_text_color(*GREY)
    text_line(pdf, "Certificate of course completion", size=10, height=7)

    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    text_line(pdf, "Chứng nhận Ông/Bà", size=12, height=7)
    pdf.set_text_color(*NAVY)
    text_fitted(pdf, content.learner_name, size=24, bold=True, height=12)
    pdf.set_text_color(0, 0, 0)
    place = ", ".join(part for part in (content.commune_name, content.province_name) if part)
    if place:
        text_line(pdf, place, size=11, height=6)
    pdf.ln(2)
    text_line(pdf, "đã hoàn thành khóa học", size=12, height=7)
    pdf.set_text_color(*NAVY)
    text_block(pdf, content.course_title, size=16, bold=True, height=8, max_lines=2)
    pdf.set_text_color(0, 0, 0)
    details = f"Ngày hoàn thành: {date_vietnamese(content.completed_on)}"
    if content.course_run_title:
        details = f"Đợt học: {content.course_run_title}  ·  {details}"
    text_fitted(pdf, details, size=11, height=7)

    qr_draw(pdf, content.verify_url, x=MARGIN + 10, y=PAGE_HEIGHT - MARGIN - 10 - QR_SIZE, size=QR_SIZE)
    code_x = MARGIN + 14 + QR_SIZE
    pdf.set_xy(code_x, PAGE_HEIGHT - MARGIN - 34)
    pdf.set_font(FONT_FAMILY, "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(110, 5, "Mã chứng nhận (Certificate code)", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(110, 7, content.code, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(110, 5, "Quét mã QR hoặc nhập mã tại trang kiểm tra:", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.cell(110, 5, content.verify_url, link=content.verify_url, new_x=XPos.LEFT, new_y=YPos.NEXT)

    signature_x, signature_w = PAGE_WIDTH - MARGIN - 10 - 100, 100.0
    day = content.completed_on
    pdf.set_xy(signature_x, PAGE_HEIGHT - MARGIN - 40)
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(signature_w, 6, f"Ngày {day.day:02d} tháng {day.month:02d} năm {day.year}", align="C")
    pdf.set_xy(signature_x, PAGE_HEIGHT - MARGIN - 33)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(signature_w, 6, content.issuer_name.upper(), align="C")


def frame_draw(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.6)
    pdf.rect(MARGIN - 4, MARGIN - 4, PAGE_WIDTH - 2 * (MARGIN - 4), PAGE_HEIGHT - 2 * (MARGIN - 4))
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.4)
    pdf.rect(MARGIN - 1, MARGIN - 1, PAGE_WIDTH - 2 * (MARGIN - 1), PAGE_HEIGHT - 2 * (MARGIN - 1))


def header_draw(pdf: FPDF, content: CertificateContent) -> None:
    column = (PAGE_WIDTH - 2 * MARGIN) / 2 - 6
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN + 4, MARGIN + 5)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.multi_cell(column, 5, content.issuer_name.upper(), align="C")
    pdf.set_xy(PAGE_WIDTH / 2 + 2, MARGIN + 5)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.cell(column, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.cell(column, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    middle = PAGE_WIDTH / 2 + 2 + column / 2
    pdf.set_line_width(0.3)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(middle - 22, pdf.get_y() + 0.5, middle + 22, pdf.get_y() + 0.5)


def text_line(pdf: FPDF, text: str, *, size: float, height: float, bold: bool = False) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_x(MARGIN)
    pdf.cell(PAGE_WIDTH - 2 * MARGIN, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def text_fitted(pdf: FPDF, text: str, *, size: float, height: float, bold: bool = False) -> None:
    """Write one centred line, shrinking the type until it fits between the frames."""
    width = PAGE_WIDTH - 2 * MARGIN - 20
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    while size > 8 and pdf.get_string_width(text) > width:
        size -= 1
        pdf.set_font_size(size)
    text_line(pdf, text, size=size, height=height, bold=bold)


def text_block(pdf: FPDF, text: str, *, size: float, height: float, max_lines: int, bold: bool = False) -> None:
    """Write centred text on up to `max_lines` lines, shrinking the type until it fits."""
    width = PAGE_WIDTH - 2 * MARGIN - 30
    start_size = size
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    while size > 8 and len(pdf.multi_cell(width, height, text, dry_run=True, output="LINES")) > max_lines:
        size -= 1
        pdf.set_font_size(size)
    pdf.set_x((PAGE_WIDTH - width) / 2)
    pdf.multi_cell(width, height * size / start_size, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def qr_draw(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    """Draw a QR code of `data` as vector squares, with its quiet zone kept white."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            pdf.rect(x + start * module, y + row_number * module, (column - start) * module, module, style="F")
