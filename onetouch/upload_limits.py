"""Request bodies bounded before they are read: a size limit per view, checked on the declared length,
then counted file by file while the body streams in.

Django's own DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, and CsrfViewMiddleware parses every POST
body before any view runs: without this module any URL took a multi-gigabyte multipart body into
FILE_UPLOAD_TEMP_DIR before a view could refuse it. Here:

- a view that takes files says how large a file may be with `@upload_limit(file_max_bytes)`, where
  `file_max_bytes(request, **view_kwargs)` may look at who asks and for what (a lesson's kind); every
  other view takes no more than DATA_UPLOAD_MAX_MEMORY_SIZE a file;
- UploadLimitMiddleware (before CsrfViewMiddleware) answers 413 when the declared Content-Length
  passes that limit plus UPLOAD_FORM_FIELDS_MARGIN_BYTES, before a byte of the body is read;
- otherwise it parses a multipart body itself, through FileSizeLimitHandler (first of
  FILE_UPLOAD_HANDLERS), which stops reading the moment one file passes the limit; the partial
  temporary file is deleted and the answer is the same 413 page.

A WSGI server hands Django at most Content-Length bytes (a chunked body without one reads as empty),
so the declared length bounds what is read; the count per file is the limit of the kind itself.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def upload_limit(file_max_bytes: Callable[..., int]) -> Callable:
    """Let the view take files of at most file_max_bytes(request, **view_kwargs) bytes each."""

    def mark(view: Callable) -> Callable:
        view.upload_file_max_bytes = file_max_bytes
        return view

    return mark


def file_max_bytes_for(request: HttpRequest, view: Callable, view_kwargs: dict) -> int:
    """Return how large one file sent to this view may be (the default for views without @upload_limit)."""
    limit = getattr(view, "upload_file_max_bytes", None)
    if limit is None:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit(request, **view_kwargs)


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class UploadLimitMiddleware:
    """Answer 413 to a body over the view's limit: on its declared length unread, or the moment a file passes it."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, view_args: tuple, view_kwargs: dict):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        limit = file_max_bytes_for(request, view, view_kwargs)
        size = declared_length(request)
        if size > limit + settings.UPLOAD_FORM_FIELDS_MARGIN_BYTES:
            return too_large_response(
                request,
                _("This upload is too large (%(size)s). The largest file accepted here is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            )
        if request.content_type != "multipart/form-data":
            return None
        request.upload_file_max_bytes = limit
        # Parsed here rather than by CsrfViewMiddleware, so that a file over the limit gets this answer.
        try:
            request.POST  # noqa: B018
        except UnreadablePostError:
            # The client went away mid-body: left to CsrfViewMiddleware, which answers as it always did.
            return None
        if getattr(request, "upload_too_large", False):
            return too_large_response(
                request,
                _("This file is larger than %(limit)s, the largest accepted here. Nothing was saved.")
                % {"limit": filesizeformat(limit)},
            )
        return None


class FileSizeLimitHandler(FileUploadHandler):
    """Stop reading the request the moment one of its files passes request.upload_file_max_bytes.

    First in FILE_UPLOAD_HANDLERS, it sees each chunk before the handlers that keep it, so a file is
    never kept past the limit; StopUpload makes Django close (and so delete) the partial temporary
    file and read no more of the body.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = getattr(request, "upload_file_max_bytes", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def too_large_response(request: HttpRequest, message: str) -> HttpResponse:
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "413.html", {"message": message, "back": back}, status=413)
