"""Gzip for the pages and data Django writes, never for media or byte ranges.

Django's GZipMiddleware compresses every answer over 200 bytes that a client accepts gzip for,
streaming ones included; a 206 would then carry a Content-Range counted in bytes it no longer
holds, and video, PDF and images are compressed already. So only text types are compressed,
and only whole answers (no Content-Range).

BREACH: since Django 4.2 GZipMiddleware pads each gzip header with up to 100 random bytes, which
makes the length-guessing attack impractical; CSRF tokens are masked anew per response as well.
"""

import secrets
import struct
import zlib
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers

COMPRESSIBLE_TYPES = ("text/html", "text/plain", "text/csv", "application/json")


def response_is_compressible(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in COMPRESSIBLE_TYPES and response.status_code != 206 and "Content-Range" not in response


class TextGZipMiddleware(GZipMiddleware):
    """GZipMiddleware limited to whole text answers (see the module's docstring)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response_is_compressible(response):
            return response
        return super().process_response(request, response)


@dataclass(frozen=True)
class PrecompressedText:
    """A text compressed once around the places where each response writes its own value.

    A cached page that differs per browser only by a token (docs/decisions/0025) would otherwise
    be compressed whole on every response: most of what serving it costs. Here each stretch
    between two placeholders is a raw deflate stream of its own, ended on a byte boundary, and so
    is the value each response writes: side by side they decode as one gzip body (pigz joins its
    blocks the same way), and only the value is compressed per response. The value shares no
    compression context with the page's other text, so its length tells nothing of it (BREACH).
    """

    stretches: tuple[bytes, ...]  # the text between the placeholders, UTF-8
    deflated: tuple[bytes, ...]  # each stretch compressed alone

    @classmethod
    def of(cls, text: str, placeholder: str) -> "PrecompressedText":
        stretches = tuple(stretch.encode() for stretch in text.split(placeholder))
        last = len(stretches) - 1
        return cls(stretches, tuple(_deflate(stretch, last=index == last) for index, stretch in enumerate(stretches)))

    def text(self, value: str) -> str:
        """The text with `value` in every place."""
        return value.encode().join(self.stretches).decode()

    def gzip(self, value: str) -> bytes:
        """The text with `value` in every place, as a gzip body; only `value` is compressed here."""
        written, deflated_value = value.encode(), _deflate(value.encode(), last=False, level=1)
        body, crc, size = [], 0, 0
        for index, (stretch, deflated) in enumerate(zip(self.stretches, self.deflated, strict=True)):
            if index:
                body.append(deflated_value)
                crc, size = zlib.crc32(written, crc), size + len(written)
            body.append(deflated)
            crc, size = zlib.crc32(stretch, crc), size + len(stretch)
        # RFC 1952: magic, deflate, a file name (the random padding, as Django's), no time, any OS.
        padding = b"a" * secrets.randbelow(GZipMiddleware.max_random_bytes)
        header = b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + padding + b"\x00"
        return b"".join((header, *body, struct.pack("<II", crc, size & 0xFFFFFFFF)))


def precompressed_response(request: HttpRequest, page: PrecompressedText, value: str) -> HttpResponse:
    """The page with `value` in its places: gzip from its compressed stretches if the client takes it."""
    if re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(page.gzip(value))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.text(value))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _deflate(data: bytes, *, last: bool, level: int = 9) -> bytes:
    """`data` as a raw deflate stream of its own: the final one, or ended on a byte boundary for more to follow."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
