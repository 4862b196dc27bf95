"""Real small media for the demo courses and the tests, made on this machine (never downloaded).

ffmpeg draws a test pattern with a title and a tone; fpdf2 writes a slide deck in Vietnamese with a
TrueType font from Debian (fonts-dejavu-core or fonts-noto-core); a DOCX handout is assembled from its
few XML parts with zipfile. Pure: no ORM and no storage. Each maker returns the path it wrote.
"""

import logging
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
]
MEDIA_TIMEOUT = 300


class MediaToolMissing(Exception):
    """ffmpeg or a font is not installed, so this piece of demo media cannot be made."""


def font_paths() -> tuple[str, str]:
    """Return (regular, bold) paths of a font with Vietnamese letters, or raise MediaToolMissing."""
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    raise MediaToolMissing("Install fonts-dejavu-core (or fonts-noto-core) for the demo slides.")


def ffmpeg_path() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise MediaToolMissing("Install ffmpeg to make the demo video.")
    return path


def video_make(
    path: Path,
    *,
    seconds: float = 4,
    size: str = "640x360",
    rate: int = 25,
    audio: bool = True,
    title: str = "",
    faststart: bool = True,
) -> Path:
    """Write a test-pattern video with a tone (and a title and running clock); MP4 or WebM by path suffix."""
    webm = path.suffix == ".webm"
    with tempfile.TemporaryDirectory(prefix="onetouch-media-") as scratch:
        inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
        if audio:
            inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
        filters = []
        if title:
            regular, _bold = font_paths()
            title_file = Path(scratch) / "title.txt"
            title_file.write_text(title, encoding="utf-8")
            filters.append(
                f"drawtext=fontfile={regular}:textfile={title_file}:fontsize=h/14:fontcolor=white"
                ":box=1:boxcolor=black@0.6:boxborderw=12:x=(w-text_w)/2:y=h/8"
            )
            filters.append(
                f"drawtext=fontfile={regular}:text='%{{pts\\:hms}}':fontsize=h/18:fontcolor=white"
                ":box=1:boxcolor=black@0.6:boxborderw=8:x=(w-text_w)/2:y=h-h/5"
            )
        codecs = (
            ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "400k", "-c:a", "libopus"]
            if webm
            else [
                *("-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-maxrate", "1500k", "-bufsize", "3000k"),
                *("-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k"),
            ]
        )
        if faststart and not webm:
            codecs += ["-movflags", "+faststart"]
        args = [ffmpeg_path(), "-nostdin", "-loglevel", "error", "-y", *inputs]
        if filters:
            args += ["-vf", ",".join(filters)]
        args += [*codecs, "-shortest", str(path)]
        subprocess.run(args, check=True, capture_output=True, timeout=MEDIA_TIMEOUT)  # noqa: S603 (our own arguments)
    return path


def captions_text(cues: list[tuple[float, float, str]]) -> str:
    """Return a WebVTT file with these (start, end, text) cues."""

    def stamp(seconds: float) -> str:
        minutes, rest = divmod(seconds, 60)
        return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}:{rest:06.3f}"

    blocks = [f"{stamp(start)} --> {stamp(end)}\n{text}" for start, end, text in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def pdf_make(path: Path, slides: list[tuple[str, list[str]]]) -> Path:
    """Write a landscape slide deck, one (title, bullet points) per page, in a font with Vietnamese letters."""
    from fpdf import FPDF

    regular, bold = font_paths()
    # fontTools reports each step of subsetting the font at INFO level.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(orientation="L", unit="mm", format=(135, 240))
    pdf.set_auto_page_break(False)
    pdf.add_font("Slides", "", regular)
    pdf.add_font("Slides", "B", bold)
    for number, (title, points) in enumerate(slides, start=1):
        pdf.add_page()
        pdf.set_fill_color(0, 82, 155)
        pdf.rect(0, 0, 240, 30, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Slides", "B", 22)
        pdf.set_xy(12, 8)
        pdf.cell(216, 14, title)
        pdf.set_text_color(20, 20, 20)
        pdf.set_font("Slides", "", 16)
        pdf.set_xy(16, 42)
        for point in points:
            pdf.set_x(16)
            pdf.multi_cell(208, 9, f"•  {point}")
            pdf.ln(3)
        pdf.set_font("Slides", "", 10)
        pdf.set_xy(12, 122)
        pdf.cell(216, 8, f"OneTouch — {number}/{len(slides)}", align="R")
    path.write_bytes(bytes(pdf.output()))
    return path


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    """Return a minimal Word document (DOCX) with a title and paragraphs."""

    def paragraph(text: str, style: str = "") -> str:
        properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        return f'<w:p>{properties}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = paragraph(title, "Title") + "".join(paragraph(text) for text in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    with tempfile.SpooledTemporaryFile() as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in parts.items():
                archive.writestr(name, text.encode("utf-8"))
        buffer.seek(0)
        return buffer.read()


# --- The demo's media -----------------------------------------------------------------------------

DEMO_CAPTIONS = [
    (0.5, 5.0, "Xin chào! Đây là bài giảng mẫu của nền tảng OneTouch."),
    (5.0, 10.0, "Bài học hướng dẫn người dân sử dụng dịch vụ công trực tuyến."),
    (10.0, 15.0, "Bước 1: tạo tài khoản định danh điện tử VNeID mức độ 2."),
    (15.0, 20.0, "Bước 2: tìm thủ tục, điền tờ khai và nộp hồ sơ trực tuyến."),
    (20.0, 24.0, "Cảm ơn bạn đã theo dõi. Hẹn gặp lại ở bài sau!"),
]

DEMO_SLIDES = [
    (
        "Dịch vụ công trực tuyến là gì?",
        [
            "Thủ tục hành chính được thực hiện qua mạng, không phải đến trụ sở.",
            "Nộp hồ sơ, theo dõi tiến độ và nhận kết quả ngay trên điện thoại.",
        ],
    ),
    (
        "Chuẩn bị trước khi nộp hồ sơ",
        [
            "Tài khoản định danh điện tử VNeID (mức độ 2).",
            "Ảnh chụp giấy tờ cần thiết, rõ nét, đủ các góc.",
            "Số điện thoại và thư điện tử đang sử dụng.",
        ],
    ),
    (
        "Các bước nộp hồ sơ",
        [
            "Đăng nhập Cổng Dịch vụ công quốc gia bằng VNeID.",
            "Tìm thủ tục, điền tờ khai, đính kèm giấy tờ.",
            "Thanh toán phí, lệ phí trực tuyến nếu có.",
        ],
    ),
    (
        "An toàn khi dùng dịch vụ công",
        [
            "Chỉ truy cập địa chỉ có đuôi .gov.vn.",
            "Không cung cấp mã OTP cho bất kỳ ai, kể cả người tự xưng là cán bộ.",
        ],
    ),
]

DEMO_HANDOUT = (
    "Tài liệu phát tay: Các bước sử dụng dịch vụ công trực tuyến",
    [
        "1. Cài đặt ứng dụng VNeID và kích hoạt tài khoản định danh điện tử mức độ 2.",
        "2. Truy cập Cổng Dịch vụ công quốc gia tại địa chỉ dichvucong.gov.vn.",
        "3. Đăng nhập bằng tài khoản VNeID, chọn thủ tục cần thực hiện.",
        "4. Điền tờ khai điện tử, đính kèm ảnh chụp giấy tờ, kiểm tra lại thông tin.",
        "5. Nộp hồ sơ, thanh toán phí (nếu có) và theo dõi kết quả trong mục Quản lý hồ sơ.",
        "Ghi nhớ: không chia sẻ mã OTP và mật khẩu cho bất kỳ ai.",
    ],
)


@dataclass(frozen=True)
class DemoMedia:
    video: Path | None
    captions: Path | None
    slides: Path | None
    handout: Path


def demo_media_prepare(directory: Path) -> DemoMedia:
    """Make the demo's video, captions, slides and handout in `directory` once; a missing tool leaves that one out."""
    directory.mkdir(parents=True, exist_ok=True)
    video = directory / "dich-vu-cong-truc-tuyen.mp4"
    captions = directory / "dich-vu-cong-truc-tuyen.vtt"
    slides = directory / "dich-vu-cong-truc-tuyen.pdf"
    handout = directory / "tai-lieu-phat-tay.docx"
    made = {}
    for path, make in (
        (video, lambda p: video_make(p, seconds=24, size="1280x720", title="Dịch vụ công trực tuyến")),
        (slides, lambda p: pdf_make(p, DEMO_SLIDES)),
    ):
        try:
            if not path.is_file():
                partial = path.with_suffix(".part" + path.suffix)
                make(partial).rename(path)
            made[path] = path
        except (MediaToolMissing, subprocess.SubprocessError, OSError):
            made[path] = None
    if not captions.is_file():
        captions.write_text(captions_text(DEMO_CAPTIONS), encoding="utf-8")
    if not handout.is_file():
        handout.write_bytes(docx_bytes(*DEMO_HANDOUT))
    return DemoMedia(video=made[video], captions=captions, slides=made[slides], handout=handout)
