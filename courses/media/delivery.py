"""Serving a lesson's media to the people allowed to see it (the views check who; this module how).

The views are learners' (learners.views.learning), which may import courses; this module imports
nothing of learners and names their media URL only by its name. Each file's content type, and
whether it is shown inline or downloaded, come from the one table, courses.media.types.

- Only names that belong to the lesson are served: its source, captions, poster, playlist, slide
  PDF, or a file under its `media_prefix`; a name with "..", a backslash or a leading slash is
  refused before storage is asked.
- On the local disk (the embedded default) Django streams the file in chunks and answers HTTP
  range requests (206 Partial Content, 416 when unsatisfiable), so a player can seek.
- On an object store (S3Storage) Django answers a redirect to a signed URL that expires
  (MEDIA_URL_EXPIRY_SECONDS), so no video byte passes through a Django worker. HLS playlists and
  WebVTT captions, small texts, are read and served by Django, a playlist with every URI in it
  rewritten: variant playlists to our own URL, segments to signed storage URLs.
- Every answer carries `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox;
  default-src 'none'`; anything that is not video, audio, a raster image, captions or a playlist
  is an attachment. An uploaded file can never run as a page of this site.
"""

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from courses.media.transcoding import RENDITION_LOW
from courses.media.types import (
    DEFAULT_CONTENT_TYPE,
    TYPES_BY_SUFFIX,
    content_type_for_suffix,
    content_type_is_inline,
    content_type_is_known,
)

if TYPE_CHECKING:
    from courses.models import Lesson

S3_BACKEND = "storages.backends.s3.S3Storage"
CHUNK_BYTES = 64 * 1024
PLAYLIST_MAX_BYTES = 1024 * 1024
CAPTIONS_MAX_BYTES = 2 * 1024 * 1024
MEDIA_CACHE_SECONDS = 3600
SANDBOX_CSP = "sandbox; default-src 'none'"

# Small texts served by Django even with an object store: playlists (rewritten) and captions
# (a <track> from another origin would need CORS and a crossorigin player).
TEXT_SUFFIXES = {".m3u8": PLAYLIST_MAX_BYTES, ".vtt": CAPTIONS_MAX_BYTES}
RANGE_PATTERN = re.compile(r"^bytes=(\d*)-(\d*)$")
PLAYLIST_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


class RangeNotSatisfiable(Exception):
    pass


def uses_object_storage() -> bool:
    """Return whether lesson media live in an S3-compatible object store."""
    return settings.STORAGES["default"]["BACKEND"] == S3_BACKEND


def name_is_safe(name: str) -> bool:
    """Return whether a requested storage name is a plain relative path (no traversal)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts) and posixpath.normpath(name) == name


def lesson_owns(lesson: "Lesson", name: str) -> bool:
    """Return whether the storage name is one of the lesson's files."""
    if not name_is_safe(name):
        return False
    own = {
        lesson.source.name,
        lesson.captions.name,
        lesson.poster_name,
        lesson.hls_playlist_name,
        lesson.slides_pdf_name,
    }
    if name in own:
        return True
    prefix = lesson.media_prefix
    return bool(prefix) and name_is_safe(prefix.rstrip("/")) and name.startswith(prefix.rstrip("/") + "/")


def media_url(lesson: "Lesson", name: str) -> str:
    """Return our URL for one of the lesson's files (the view decides who gets it)."""
    return reverse("learners:lesson_media", args=[lesson.id, name])


def lesson_media_urls(lesson: "Lesson") -> dict:
    """Return our URLs for what the lesson page shows: poster, playlist, video, captions, pages."""
    # Lesson kinds compared by value ("video", "slides"): this module reads a lesson, it never imports models.
    names = {
        "poster": lesson.poster_name,
        "hls": lesson.hls_playlist_name,
        "video": lesson.source.name if lesson.kind == "video" else "",
        "captions": lesson.captions.name,
    }
    urls = {key: media_url(lesson, name) if name else "" for key, name in names.items()}
    # The lowest rendition's own playlist, next to the master (courses.media.transcoding.video_hls):
    # native HLS players are given it for "save data" and for players too small for more.
    hls_dir = posixpath.dirname(lesson.hls_playlist_name) if lesson.hls_playlist_name else ""
    urls["hls_lowest"] = media_url(lesson, f"{hls_dir}/{RENDITION_LOW.name}/index.m3u8") if hls_dir else ""
    pages = range(1, (lesson.page_count or 0) + 1) if lesson.kind == "slides" and lesson.media_prefix else ()
    urls["pages"] = [media_url(lesson, lesson.page_image_name(number)) for number in pages]
    return urls


def content_type_for(lesson: "Lesson", name: str) -> str:
    """Return the type a file is served as, from its suffix (never sniffed, never HTML)."""
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in TYPES_BY_SUFFIX:
        return content_type_for_suffix(suffix)
    if name == lesson.source.name and content_type_is_known(lesson.source_content_type):
        return lesson.source_content_type
    return DEFAULT_CONTENT_TYPE


def download_name(lesson: "Lesson", name: str) -> str:
    """Return the name a download is saved under: the uploaded name for the source."""
    if name == lesson.source.name and lesson.source_name:
        return lesson.source_name
    return posixpath.basename(name)


def ascii_fallback(filename: str) -> str:
    """Return a plain ASCII version of a file name for old browsers ("Tài liệu.docx" → "Tai lieu.docx")."""
    filename = filename.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9 ._()+-]", "_", text).strip(" .")
    return text or "download"


def attachment_header(filename: str) -> str:
    """Return a Content-Disposition for a download: an ASCII name and the UTF-8 one (RFC 6266/5987).

    Django's content_disposition_header gives a non-ASCII name only as `filename*`, which old
    browsers ignore; the ASCII fallback it quotes comes first, so every browser saves a usable name.
    """
    fallback = content_disposition_header(as_attachment=True, filename=ascii_fallback(filename))
    return f"{fallback}; filename*=UTF-8''{quote(filename, safe='')}"


def byte_range_parse(header: str, size: int) -> tuple[int, int] | None:
    """Return the inclusive byte range asked for, None to send the whole file, or raise if unsatisfiable."""
    match = RANGE_PATTERN.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # absent, malformed or several ranges: the whole file is a valid answer
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiable
    end = size - 1 if last == "" else min(int(last), size - 1)
    return (start, end) if end >= start else None


def file_chunks(name: str, start: int, length: int) -> Iterator[bytes]:
    """Yield `length` bytes of a stored file from `start`, a chunk at a time."""
    with default_storage.open(name, "rb") as stored:
        stored.seek(start)
        while length > 0:
            chunk = stored.read(min(CHUNK_BYTES, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk


def secured(response: HttpResponse, *, cache_seconds: int = MEDIA_CACHE_SECONDS) -> HttpResponse:
    """Add the headers every media answer carries."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, private=True, max_age=cache_seconds)
    return response


def media_response(request: HttpRequest, *, lesson: "Lesson", name: str) -> HttpResponse:
    """Answer a request for one of the lesson's files: stream it, or redirect to the object store."""
    if not lesson_owns(lesson, name):
        raise Http404
    content_type = content_type_for(lesson, name)
    disposition = None if content_type_is_inline(content_type) else attachment_header(download_name(lesson, name))
    suffix = posixpath.splitext(name)[1].lower()
    if suffix in TEXT_SUFFIXES:
        return text_response(lesson=lesson, name=name, content_type=content_type, max_bytes=TEXT_SUFFIXES[suffix])
    if uses_object_storage():
        return signed_redirect(name=name, content_type=content_type, disposition=disposition)
    return file_response(request, name=name, content_type=content_type, disposition=disposition)


def file_response(request: HttpRequest, *, name: str, content_type: str, disposition: str | None) -> HttpResponse:
    """Stream a file from the local disk, whole (200) or the asked range (206), or 416."""
    try:
        size = default_storage.size(name)
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    try:
        byte_range = byte_range_parse(request.headers.get("Range", ""), size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return secured(response)
    if byte_range is None:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range
        response = StreamingHttpResponse(
            file_chunks(name, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    if disposition:
        response["Content-Disposition"] = disposition
    return secured(response)


def signed_redirect(*, name: str, content_type: str, disposition: str | None) -> HttpResponse:
    """Redirect to a signed, expiring object-store URL that answers with our type and disposition."""
    parameters = {"ResponseContentType": content_type}
    if disposition:
        parameters["ResponseContentDisposition"] = disposition
    url = default_storage.url(name, parameters=parameters, expire=settings.MEDIA_URL_EXPIRY_SECONDS)
    # The browser may reuse the redirect while the signature is still valid, not longer.
    return secured(HttpResponseRedirect(url), cache_seconds=settings.MEDIA_URL_EXPIRY_SECONDS // 4)


def text_response(*, lesson: "Lesson", name: str, content_type: str, max_bytes: int) -> HttpResponse:
    """Serve a small text file through Django, a playlist with its URIs rewritten."""
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read(max_bytes + 1)
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    if len(data) > max_bytes:
        raise Http404
    if name.endswith(".m3u8"):
        text = playlist_rewrite(
            data.decode("utf-8", "replace"),
            playlist_name=name,
            url_for=lambda target: playlist_target_url(lesson, target),
        )
        data = text.encode()
        # Signed segment URLs in it expire; a player re-reads a live playlist, not this one, so short.
        return secured(HttpResponse(data, content_type=content_type), cache_seconds=60)
    return secured(HttpResponse(data, content_type=content_type))


def playlist_target_url(lesson: "Lesson", target: str) -> str | None:
    """Return the URL a playlist entry should point to, or None when it is not the lesson's file."""
    if not lesson_owns(lesson, target):
        return None
    if target.endswith(".m3u8") or not uses_object_storage():
        return media_url(lesson, target)
    return default_storage.url(target, expire=settings.MEDIA_URL_EXPIRY_SECONDS)


def playlist_rewrite(text: str, *, playlist_name: str, url_for: Callable[[str], str | None]) -> str:
    """Return an HLS playlist with each relative URI (lines and URI="…" attributes) replaced by url_for."""
    folder = posixpath.dirname(playlist_name)

    def rewrite(uri: str) -> str:
        if not uri or urlsplit(uri).scheme or uri.startswith("/"):
            return uri
        path = urlsplit(uri).path
        target = posixpath.normpath(posixpath.join(folder, path))
        return url_for(target) or uri

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append(PLAYLIST_URI_ATTRIBUTE.sub(lambda match: f'URI="{rewrite(match.group(1))}"', line))
        elif stripped:
            lines.append(rewrite(stripped))
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def media_origins() -> list[str]:
    """Return the origins the lesson page must allow media from (the object store's, if any)."""
    if not uses_object_storage():
        return []
    parts = urlsplit(default_storage.url("lessons/origin-probe"))
    return [f"{parts.scheme}://{parts.netloc}"]
