"""The certificate document: codes, issuer names, the PDF's Vietnamese text and its QR code, read back for real."""

import io
import math
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from learners.pure import certificates
from learners.pure.certificates import (
    CODE_ALPHABET,
    CertificateContent,
    certificate_pdf,
    certificates_pdf,
    code_make,
    code_normalise,
    issuer_name_for,
)

NAME = "Nguyễn Thị Hồng Nhung"
VERIFY_URL = "https://onetouch.example.vn/certificates/K7QF-3MZP-W2HD-9XAC/"


def content(**fields) -> CertificateContent:
    values = {
        "code": "K7QF-3MZP-W2HD-9XAC",
        "learner_name": NAME,
        "course_title": "Kỹ năng số cơ bản cho cán bộ xã",
        "course_run_title": "Đợt 1 năm 2025",
        "issuer_name": "Sở Khoa học và Công nghệ Thành phố Huế",
        "province_name": "Thành phố Huế",
        "commune_name": "Phường Thuận Hóa",
        "completed_on": date(2025, 11, 3),
        "verify_url": VERIFY_URL,
    }
    return CertificateContent(**(values | fields))


def pdf_text(pdf: bytes) -> list[str]:
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def qr_codes_on_first_page(pdf: bytes, tmp_path: Path) -> list[str]:
    """Rasterise the first page with poppler's pdftoppm and decode every QR code on it with zxing-cpp."""
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "page")], check=True
    )
    [image_path] = tmp_path.glob("page*.png")
    with Image.open(image_path) as image:
        found = zxingcpp.read_barcodes(image)
    return [barcode.text for barcode in found if barcode.format == zxingcpp.BarcodeFormat.QRCode]


# --- Codes --------------------------------------------------------------------------------------


def test_code_is_sixteen_unambiguous_characters_in_groups_of_four():
    """A new code is four dash-separated groups of four characters from the 32-letter alphabet."""
    code = code_make()
    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("01IO") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) ** 16 >= 2**80


def test_codes_do_not_repeat():
    """Ten thousand codes drawn in a row are all different."""
    codes = {code_make() for _ in range(10_000)}
    assert len(codes) == 10_000


def test_codes_use_every_character_evenly():
    """Over many codes every character of the alphabet appears about as often as the others."""
    counts = dict.fromkeys(CODE_ALPHABET, 0)
    for _ in range(4000):
        for char in code_make().replace("-", ""):
            counts[char] += 1
    expected = 4000 * 16 / len(CODE_ALPHABET)
    assert all(abs(count - expected) < 6 * math.sqrt(expected) for count in counts.values())


@pytest.mark.parametrize(
    "typed",
    ["K7QF-3MZP-W2HD-9XAC", "k7qf-3mzp-w2hd-9xac", " K7QF 3MZP W2HD 9XAC ", "K7QF3MZPW2HD9XAC", "k7qf–3mzp—w2hd_9xac"],
)
def test_typed_code_is_normalised_to_its_written_form(typed):
    """Case, spaces and any kind of dash do not matter when a code is typed."""
    assert code_normalise(typed) == "K7QF-3MZP-W2HD-9XAC"


@pytest.mark.parametrize(
    "typed", ["", "K7QF-3MZP-W2HD", "K7QF-3MZP-W2HD-9XAC-2", "O7QF-3MZP-W2HD-9XAC", "<script>", "x" * 500, None, 42]
)
def test_malformed_code_normalises_to_nothing(typed):
    """Too short, too long, a letter outside the alphabet or not text at all: not a code."""
    assert code_normalise(typed) == ""


# --- Issuer -------------------------------------------------------------------------------------


def test_national_course_is_issued_by_the_ministry_from_settings(settings):
    """A national course's issuer is the configured ministry name."""
    settings.CERTIFICATE_NATIONAL_ISSUER = "Bộ Khoa học và Công nghệ"
    assert issuer_name_for(province_name=None) == "Bộ Khoa học và Công nghệ"
    settings.CERTIFICATE_NATIONAL_ISSUER = "Bộ Thử nghiệm"
    assert issuer_name_for(province_name="") == "Bộ Thử nghiệm"


def test_province_course_is_issued_by_the_province_department():
    """A province's course is issued by that province's Department of Science and Technology."""
    assert issuer_name_for(province_name="Thành phố Huế") == "Sở Khoa học và Công nghệ Thành phố Huế"


# --- The PDF ------------------------------------------------------------------------------------


def test_pdf_is_one_a4_landscape_page():
    """A certificate is a single A4 page in landscape."""
    reader = PdfReader(io.BytesIO(certificate_pdf(content())))
    [page] = reader.pages
    width_mm, height_mm = (float(value) * 25.4 / 72 for value in (page.mediabox.width, page.mediabox.height))
    assert (round(width_mm), round(height_mm)) == (297, 210)


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_pdf_text_holds_the_vietnamese_name_and_course_with_every_diacritic(form):
    """The extracted text holds the learner's name and course exactly, whichever Unicode form they came in."""
    given = content(
        learner_name=unicodedata.normalize(form, NAME),
        course_title=unicodedata.normalize(form, "Chuyển đổi số: dịch vụ công trực tuyến"),
    )
    [text] = pdf_text(certificate_pdf(given))
    assert NAME in text
    assert "Chuyển đổi số: dịch vụ công trực tuyến" in text
    assert "GIẤY CHỨNG NHẬN" in text and "HOÀN THÀNH KHÓA HỌC" in text
    assert "Đợt 1 năm 2025" in text
    assert "03/11/2025" in text
    assert "Sở Khoa học và Công nghệ Thành phố Huế".upper() in text
    assert "Phường Thuận Hóa, Thành phố Huế" in text
    assert "K7QF-3MZP-W2HD-9XAC" in text


def test_pdf_embeds_the_fonts_shipped_with_the_project():
    """The text is drawn with the DejaVu fonts from learners/fonts, embedded, and their licence ships beside them."""
    fonts_dir = Path(certificates.__file__).parent / "fonts"
    assert (fonts_dir / "DejaVuSans.ttf").is_file() and (fonts_dir / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in (fonts_dir / "LICENSE-DejaVu.txt").read_text()
    assert all(str(path).startswith(str(fonts_dir)) for path in certificates.font_files().values())
    reader = PdfReader(io.BytesIO(certificate_pdf(content())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts.values()]
    assert all("/FontFile2" in descriptor for descriptor in descriptors)
    assert all("DejaVuSans" in str(descriptor["/FontName"]) for descriptor in descriptors)


def test_long_course_title_is_printed_whole():
    """A course title too long for one line wraps and is still printed in full."""
    title = "Kỹ năng số cơ bản cho cán bộ xã: chuyển đổi số, dịch vụ công trực tuyến và an toàn thông tin mạng"
    [text] = pdf_text(certificate_pdf(content(course_title=title)))
    assert " ".join(text.split()).count(title) == 1


def test_qr_code_decodes_to_the_verification_url(tmp_path):
    """The QR code, rasterised and decoded by a real reader, holds the absolute verification URL."""
    assert qr_codes_on_first_page(certificate_pdf(content()), tmp_path) == [VERIFY_URL]


def test_many_certificates_print_one_per_page_in_order():
    """A batch prints one page per certificate, in the order given."""
    names = ["Trần Văn Bình", "Lê Thị Cúc", "Phạm Đức Dũng"]
    pages = pdf_text(certificates_pdf(content(learner_name=name) for name in names))
    assert len(pages) == 3
    assert [next(name for name in names if name in page) for page in pages] == names
