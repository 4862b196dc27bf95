"""Real small media made in the test, with the tools the worker uses (ffmpeg, fpdf2, pypdf, Pillow).

Good files and the bad inputs of the lessons issue: an HTML page named .mp4, a truncated video, a PDF
with no pages, a damaged PDF, an SVG with a script. Each maker writes into a folder and returns the path.
"""

import io
import zipfile
from pathlib import Path

from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from courses.demo.media import captions_text, docx_bytes, pdf_make, video_make

SCRIPT_HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
SCRIPT_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b"<script>alert(1)</script></svg>\n"
)


def mp4_make(folder: Path, name: str = "phim.mp4", *, seconds: float = 3, size: str = "640x360", **options) -> Path:
    return video_make(folder / name, seconds=seconds, size=size, **options)


def webm_make(folder: Path, name: str = "phim.webm", *, seconds: float = 3) -> Path:
    return video_make(folder / name, seconds=seconds)


def truncated_make(source: Path, target: Path, *, share: float = 0.5) -> Path:
    """Copy the first part of a file only, as an interrupted copy or download leaves it."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * share)])
    return target


def mp4_padded_make(source: Path, target: Path, *, extra_bytes: int) -> Path:
    """Copy an MP4 and append a top-level "free" box, making a valid MP4 as large as wanted."""
    with source.open("rb") as original, target.open("wb") as padded:
        padded.write(original.read())
        padded.write((8 + extra_bytes).to_bytes(4, "big") + b"free")
        chunk = b"\0" * (1024 * 1024)
        for start in range(0, extra_bytes, len(chunk)):
            padded.write(chunk[: min(len(chunk), extra_bytes - start)])
    return target


def pdf_pages_make(folder: Path, name: str = "bai-giang.pdf", *, pages: int = 2) -> Path:
    slides = [(f"Trang {number}: Chuyển đổi số", [f"Nội dung trang số {number}."]) for number in range(1, pages + 1)]
    return pdf_make(folder / name, slides)


def pdf_no_pages_make(folder: Path, name: str = "trong.pdf") -> Path:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    (folder / name).write_bytes(buffer.getvalue())
    return folder / name


def pdf_damaged_make(folder: Path, name: str = "hong.pdf") -> Path:
    (folder / name).write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\nnot a pdf at all\n")
    return folder / name


def docx_make(folder: Path, name: str = "tai-lieu.docx") -> Path:
    (folder / name).write_bytes(docx_bytes("Tài liệu", ["Đoạn văn thứ nhất.", "Đoạn văn thứ hai."]))
    return folder / name


def docm_make(folder: Path, name: str = "macro.docx") -> Path:
    """A Word file with macros (its content types say macroEnabled), named .docx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\0" * 64)
    (folder / name).write_bytes(buffer.getvalue())
    return folder / name


def image_make(folder: Path, name: str, *, format: str) -> Path:
    from PIL import Image

    Image.new("RGB", (32, 24), (0, 82, 155)).save(folder / name, format=format)
    return folder / name


def captions_make(folder: Path, name: str = "phu-de.vtt") -> Path:
    (folder / name).write_text(captions_text([(0, 2, "Xin chào các bạn!")]), encoding="utf-8")
    return folder / name


def bytes_make(folder: Path, name: str, data: bytes) -> Path:
    (folder / name).write_bytes(data)
    return folder / name


def uploaded(path: Path, *, name: str | None = None, content_type: str = "application/octet-stream"):
    """Return the file as Django hands an upload to a view: in memory when small, else a temporary file."""
    from django.conf import settings

    data = path.read_bytes() if path.stat().st_size <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE else None
    if data is not None:
        return SimpleUploadedFile(name or path.name, data, content_type=content_type)
    upload = TemporaryUploadedFile(name or path.name, content_type, path.stat().st_size, None)
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            upload.write(chunk)
    upload.seek(0)
    return upload


def named(data: bytes, name: str) -> File:
    """A file whose name is kept exactly as given (Django's upload handlers would strip its folders)."""
    return File(io.BytesIO(data), name=name)


def zip_bomb_make(folder: Path, name: str = "bom.docx", *, unpacked_bytes: int = 256 * 1024 * 1024) -> Path:
    """A real Word document with one more part of zeros: a file of a few hundred KB that unpacks to
    `unpacked_bytes`, streamed in so the test never holds it whole."""
    path = folder / name
    path.write_bytes(docx_bytes("Tài liệu", ["Đoạn văn."]))
    zeros = bytes(16 * 1024 * 1024)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            for start in range(0, unpacked_bytes, len(zeros)):
                part.write(zeros[: min(len(zeros), unpacked_bytes - start)])
    return path
