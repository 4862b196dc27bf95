"""Gzip for the pages and data Django writes, never for media or byte ranges.

Django's GZipMiddleware compresses every answer over 200 bytes that a client accepts gzip for,
streaming ones included; a 206 would then carry a Content-Range counted in bytes it no longer
holds, and video, PDF and images are compressed already. So only text types are compressed,
and only whole answers (no Content-Range).

BREACH: since Django 4.2 GZipMiddleware pads each gzip header with up to 100 random bytes, which
makes the length-guessing attack impractical; CSRF tokens are masked anew per response as well.
"""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

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
