"""Turning uploaded lesson files into what learners' browsers play and show.

Pure functions over local files: no ORM and no storage (courses.services.materials copies files in
and out of storage around them, through courses.media.storage). Each one runs a command-line tool
with a time limit and raises ProcessingError, with a message for the author, when the tool is
missing, fails or gives nothing usable.

- Video: ffprobe reads the duration; ffmpeg makes a poster (JPEG) and an HLS ladder of two renditions
  in one pass. The lowest fits a slow 3G connection (about 200 kbit/s for picture and sound together).
  Every playlist names its segments and variant playlists by relative paths, so the folder can be
  served or signed from anywhere. An upload in MP4 is itself the fallback for browsers without HLS.
- Slides: pdfinfo counts the pages and pdftoppm draws one JPEG per page at a phone-friendly width.
  PPTX and ODP are first converted to PDF by LibreOffice, only when `soffice` is installed.
"""

import json
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 120
POSTER_TIMEOUT = 300
HLS_TIMEOUT = 2700
PDF_TIMEOUT = 1200
CONVERT_TIMEOUT = 600

HLS_SEGMENT_SECONDS = 4
PAGE_WIDTH = 960
SLIDES_MAX_PAGES = 500
# An encoded video shorter than this share of the probed duration was cut short in the upload.
DURATION_SHARE_DECODED = 0.9

POSTER = "poster.jpg"
# The poster loads with the page, before the learner presses play: sized for a phone's player at 2x
# (328 CSS px wide), not for the 720p rendition. 854x480 at ffmpeg's JPEG quality 5 is about half
# the bytes of the former 1280x720 at quality 4 (57 KB -> 31 KB for the demo video).
POSTER_MAX_WIDTH = 854
POSTER_MAX_HEIGHT = 480
POSTER_QUALITY = 5
PAGES_DIR = "pages"
SLIDES_PDF = "slides.pdf"


class ProcessingError(Exception):
    """A failure the author can read: a translatable message, rendered when it is shown or stored."""

    def __init__(self, message: Promise, **params) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


VIDEO_UNREADABLE = _(
    "The video could not be read: it seems damaged or incomplete. Export it again and upload the whole file."
)
TOO_LONG = _("Processing took too long and was stopped. Upload a shorter or smaller file, or retry later.")
PDF_UNREADABLE = _("The PDF could not be read: it seems damaged. Save or export it again as PDF and upload it.")


@dataclass(frozen=True)
class Rendition:
    name: str
    height: int
    video_kbps: int
    video_max_kbps: int
    audio_kbps: int
    audio_channels: int
    max_fps: int


# The lowest rendition: 100 kbit/s of picture and 48 kbit/s of mono sound, about 190 kbit/s on the
# wire with the MPEG-TS overhead, which a slow 3G connection (about 200 kbit/s) carries.
RENDITION_LOW = Rendition("360p", 360, 100, 112, 48, 1, 25)
RENDITION_HIGH = Rendition("720p", 720, 1200, 1500, 96, 2, 30)


@dataclass(frozen=True)
class VideoInfo:
    duration: float
    width: int
    height: int
    fps: float
    has_audio: bool


@dataclass(frozen=True)
class Variant:
    bandwidth: int
    resolution: str
    uri: str


def tool(name: str, *alternatives: str) -> str:
    """Return the path of a command-line tool, or raise ProcessingError saying it is not installed."""
    for candidate in (name, *alternatives):
        path = shutil.which(candidate)
        if path:
            return path
    raise ProcessingError(
        _(
            "This server cannot process the file: the program “%(tool)s” is not installed. "
            "Ask the platform's operators to install it, then retry."
        ),
        tool=name,
    )


def run(args: list[str], *, timeout: int, failure: Promise, check: bool = True) -> subprocess.CompletedProcess:
    """Run a tool; a timeout, or a non-zero exit when checked, becomes ProcessingError(failure), the detail logged."""
    try:
        # An argument list, never a shell: a file name reaches the tool as one argument, whatever it holds.
        return subprocess.run(args, capture_output=True, timeout=timeout, check=check, stdin=subprocess.DEVNULL)  # noqa: S603
    except subprocess.TimeoutExpired:
        logger.warning("%s took longer than %s s", args[0], timeout)
        raise ProcessingError(TOO_LONG) from None
    except subprocess.CalledProcessError as error:
        logger.warning("%s failed (%s): %s", args[0], error.returncode, error.stderr[-2000:].decode(errors="replace"))
        raise ProcessingError(failure) from None


# --- Video --------------------------------------------------------------------------------------


def video_probe(source: Path) -> VideoInfo:
    """Return the duration, picture size, frame rate and presence of sound of a video file."""
    result = run(
        [tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(source)],
        timeout=PROBE_TIMEOUT,
        failure=VIDEO_UNREADABLE,
    )
    try:
        data = json.loads(result.stdout)
    except ValueError:
        raise ProcessingError(VIDEO_UNREADABLE) from None
    streams = data.get("streams", [])
    pictures = [
        s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    if not pictures:
        raise ProcessingError(_("This file has no picture. Upload a video, not only sound."))
    picture = pictures[0]
    try:
        duration = float(data.get("format", {}).get("duration") or picture.get("duration") or 0)
        width, height = int(picture["width"]), int(picture["height"])
    except (KeyError, TypeError, ValueError):
        raise ProcessingError(VIDEO_UNREADABLE) from None
    if duration <= 0 or width <= 0 or height <= 0:
        raise ProcessingError(VIDEO_UNREADABLE)
    return VideoInfo(
        duration=duration,
        width=width,
        height=height,
        fps=frame_rate(picture.get("avg_frame_rate") or picture.get("r_frame_rate") or ""),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def frame_rate(text: str) -> float:
    numerator, _slash, denominator = text.partition("/")
    try:
        return float(numerator) / float(denominator or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0


def video_poster(source: Path, target: Path, *, info: VideoInfo) -> Path:
    """Write a JPEG poster taken a little way into the video, within 854x480, its shape kept."""
    at = min(1.0, info.duration / 2)
    poster_scale = (
        f"scale='min({POSTER_MAX_WIDTH},iw)':'min({POSTER_MAX_HEIGHT},ih)':force_original_aspect_ratio=decrease"
    )
    run(
        [
            tool("ffmpeg"),
            *("-nostdin", "-loglevel", "error", "-y", "-ss", f"{at:.3f}", "-i", str(source)),
            *("-frames:v", "1", "-vf", poster_scale, "-q:v", str(POSTER_QUALITY), str(target)),
        ],
        timeout=POSTER_TIMEOUT,
        failure=VIDEO_UNREADABLE,
    )
    if not target.is_file() or target.stat().st_size == 0:
        raise ProcessingError(VIDEO_UNREADABLE)
    return target


def renditions_for(info: VideoInfo) -> tuple[Rendition, Rendition]:
    """Return the low (360p) and high renditions; the high one is 720p, or less for a small source, never below 480p."""
    height = min(RENDITION_HIGH.height, max(480, info.height - info.height % 2))
    if height == RENDITION_HIGH.height:
        return RENDITION_LOW, RENDITION_HIGH
    share = height / RENDITION_HIGH.height
    high = Rendition(
        f"{height}p",
        height,
        int(RENDITION_HIGH.video_kbps * share),
        int(RENDITION_HIGH.video_max_kbps * share),
        RENDITION_HIGH.audio_kbps,
        RENDITION_HIGH.audio_channels,
        RENDITION_HIGH.max_fps,
    )
    return RENDITION_LOW, high


def video_hls(source: Path, target_dir: Path, *, info: VideoInfo) -> Path:
    """Encode the HLS ladder into target_dir/hls/ in one pass; return the master playlist's path."""
    low, high = renditions_for(info)
    hls_dir = target_dir / "hls"
    hls_dir.mkdir(parents=True, exist_ok=True)
    filters = []
    for label, rendition in (("low", low), ("high", high)):
        fps = f",fps={rendition.max_fps}" if info.fps > rendition.max_fps else ""
        filters.append(f"[{label}in]scale=-2:{rendition.height}{fps}[{label}]")
    args = [
        tool("ffmpeg"),
        *("-nostdin", "-loglevel", "error", "-y", "-i", str(source)),
        "-filter_complex",
        "[0:v:0]split=2[lowin][highin];" + ";".join(filters),
        *("-map", "[low]", "-map", "[high]"),
    ]
    if info.has_audio:
        args += ["-map", "0:a:0", "-map", "0:a:0"]
    args += [
        *("-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p"),
        *("-sc_threshold", "0", "-force_key_frames", f"expr:gte(t,n_forced*{HLS_SEGMENT_SECONDS})"),
    ]
    for index, rendition in enumerate((low, high)):
        args += [
            *(f"-b:v:{index}", f"{rendition.video_kbps}k", f"-maxrate:v:{index}", f"{rendition.video_max_kbps}k"),
            *(f"-bufsize:v:{index}", f"{rendition.video_max_kbps * 2}k"),
        ]
        if info.has_audio:
            args += [f"-b:a:{index}", f"{rendition.audio_kbps}k", f"-ac:a:{index}", str(rendition.audio_channels)]
    if info.has_audio:
        args += ["-c:a", "aac", "-ar", "44100"]
        stream_map = f"v:0,a:0,name:{low.name} v:1,a:1,name:{high.name}"
    else:
        stream_map = f"v:0,name:{low.name} v:1,name:{high.name}"
    args += [
        *("-f", "hls", "-hls_time", str(HLS_SEGMENT_SECONDS), "-hls_playlist_type", "vod"),
        *("-hls_flags", "independent_segments", "-hls_segment_type", "mpegts"),
        *("-hls_segment_filename", str(hls_dir / "%v" / "segment_%04d.ts")),
        *("-master_pl_name", "master.m3u8", "-var_stream_map", stream_map),
        str(hls_dir / "%v" / "index.m3u8"),
    ]
    run(args, timeout=HLS_TIMEOUT, failure=VIDEO_UNREADABLE)
    master = hls_dir / "master.m3u8"
    if not master.is_file():
        raise ProcessingError(VIDEO_UNREADABLE)
    variants = hls_master_variants(master.read_text())
    if len(variants) < 2:
        raise ProcessingError(VIDEO_UNREADABLE)
    # ffmpeg stops without an error at the end of a truncated file: compare what it encoded.
    for variant in variants:
        encoded = hls_playlist_seconds((hls_dir / variant.uri).read_text())
        if encoded < info.duration * DURATION_SHARE_DECODED - 1:
            logger.warning("Encoded %.1f s of a video said to last %.1f s", encoded, info.duration)
            raise ProcessingError(VIDEO_UNREADABLE)
    return master


def hls_master_variants(text: str) -> list[Variant]:
    """Return the variant streams a master playlist lists, lowest bandwidth first."""
    variants, lines = [], [line.strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if not line.startswith("#EXT-X-STREAM-INF:"):
            continue
        attributes = dict(re.findall(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', line.partition(":")[2]))
        uri = next((candidate for candidate in lines[index + 1 :] if candidate and not candidate.startswith("#")), "")
        variants.append(Variant(int(attributes.get("BANDWIDTH", 0)), attributes.get("RESOLUTION", ""), uri))
    return sorted(variants, key=lambda variant: variant.bandwidth)


def hls_playlist_seconds(text: str) -> float:
    """Return the total duration of a media playlist's segments."""
    return sum(float(value) for value in re.findall(r"^#EXTINF:([0-9.]+)", text, flags=re.MULTILINE))


def video_derive(source: Path, target_dir: Path) -> tuple[VideoInfo, Path, Path]:
    """Probe a video and write its poster and HLS ladder under target_dir; return (info, poster, master)."""
    info = video_probe(source)
    poster = video_poster(source, target_dir / POSTER, info=info)
    master = video_hls(source, target_dir, info=info)
    return info, poster, master


# --- Slides -------------------------------------------------------------------------------------


def pdf_page_count(source: Path) -> int:
    """Return the number of pages of a PDF; a PDF without pages raises ProcessingError."""
    result = run([tool("pdfinfo"), str(source)], timeout=PROBE_TIMEOUT, failure=PDF_UNREADABLE, check=False)
    match = re.search(rb"^Pages:\s+(\d+)", result.stdout, flags=re.MULTILINE)
    if b"Invalid page count 0" in result.stderr:
        pages = 0
    elif result.returncode == 0 and match:
        pages = int(match.group(1))
    else:
        logger.warning("pdfinfo failed (%s): %s", result.returncode, result.stderr[-2000:].decode(errors="replace"))
        raise ProcessingError(PDF_UNREADABLE)
    if pages == 0:
        raise ProcessingError(_("This PDF has no pages."))
    if pages > SLIDES_MAX_PAGES:
        raise ProcessingError(
            _("This slide deck has %(pages)s pages; slides may have at most %(limit)s."),
            pages=pages,
            limit=SLIDES_MAX_PAGES,
        )
    return pages


def pdf_pages_render(source: Path, target_dir: Path, *, pages: int) -> list[Path]:
    """Draw each page as target_dir/pages/001.jpg, 002.jpg… at PAGE_WIDTH pixels wide; return them in order."""
    pages_dir = target_dir / PAGES_DIR
    pages_dir.mkdir(parents=True, exist_ok=True)
    run(
        [
            tool("pdftoppm"),
            *("-jpeg", "-jpegopt", "quality=80,progressive=y", "-scale-to-x", str(PAGE_WIDTH), "-scale-to-y", "-1"),
            *(str(source), str(pages_dir / "page")),
        ],
        timeout=PDF_TIMEOUT,
        failure=PDF_UNREADABLE,
    )
    drawn = sorted(pages_dir.glob("page-*.jpg"), key=lambda path: int(path.stem.rpartition("-")[2]))
    if len(drawn) != pages:
        raise ProcessingError(PDF_UNREADABLE)
    images = []
    for number, path in enumerate(drawn, start=1):
        images.append(path.rename(pages_dir / f"{number:03d}.jpg"))
    return images


def presentation_to_pdf(source: Path, target_dir: Path) -> Path:
    """Convert a PPTX or ODP presentation to target_dir/slides.pdf with LibreOffice, when it is installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ProcessingError(
            _(
                "Converting PowerPoint and OpenDocument slides to PDF is not available on this server. "
                "Save the slides as PDF and upload that file."
            )
        )
    failure = _("The presentation could not be converted to PDF. Save it as PDF and upload that file.")
    with tempfile.TemporaryDirectory(prefix="onetouch-convert-") as scratch:
        out_dir = Path(scratch) / "out"
        run(
            [
                soffice,
                *("--headless", "--norestore", "--nolockcheck"),
                f"-env:UserInstallation={(Path(scratch) / 'profile').as_uri()}",
                *("--convert-to", "pdf", "--outdir", str(out_dir), str(source)),
            ],
            timeout=CONVERT_TIMEOUT,
            failure=failure,
        )
        converted = next(iter(out_dir.glob("*.pdf")), None)
        if converted is None:
            raise ProcessingError(failure)
        return Path(shutil.move(converted, target_dir / SLIDES_PDF))


def slides_derive(source: Path, target_dir: Path, *, is_pdf: bool) -> tuple[int, list[Path], Path | None]:
    """Write one image per page under target_dir; return (page count, images, converted PDF or None)."""
    converted = None if is_pdf else presentation_to_pdf(source, target_dir)
    pdf = source if is_pdf else converted
    pages = pdf_page_count(pdf)
    return pages, pdf_pages_render(pdf, target_dir, pages=pages), converted
