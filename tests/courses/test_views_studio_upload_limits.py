"""Oversized uploads are refused before they fill the disk: on their declared length before the body is
read, and the moment a file passes its kind's limit while it streams in; zip bombs are refused.

The first two go to a real HTTP server (live_server) over a raw socket, because "before the body is
read" is only visible to a client that declares more than it sends.
"""

import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from courses.models import Lesson, Question
from courses.services.structure import lesson_create, module_create
from tests import fixtures_media as media
from tests.factories import course_make

BOUNDARY = "----onetouch-test-boundary"
CSRF_SECRET = "a" * 32
GB = 1024**3
MB = 1024**2

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload_temp_dir(settings, tmp_path) -> Path:
    """Django's temporary upload files go to this test's own folder, to see whether any is left."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.fixture
def course_hanoi(province_hanoi):
    return course_make(province=province_hanoi, is_published=False)


def lesson_of(course, kind: str) -> Lesson:
    module = module_create(course=course, title="Phần 1")
    return lesson_create(module=module, title=f"Bài {kind}", kind=kind)


def lesson_row(lesson: Lesson) -> tuple:
    return Lesson.objects.filter(id=lesson.id).values_list("source", "source_size", "processing").get()


def cookies_of(client, user) -> str:
    """The session cookie of the user signed in, the English choice and a CSRF cookie, as one header."""
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return (
        f"{django_settings.SESSION_COOKIE_NAME}={session}; {django_settings.CSRF_COOKIE_NAME}={CSRF_SECRET}; "
        f"{django_settings.LANGUAGE_COOKIE_NAME}=en"
    )


def multipart_head(field: str, file_name: str) -> bytes:
    """The form as the studio page sends it: the CSRF token, then the file's part header."""
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{CSRF_SECRET}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n"
    ).encode()


def multipart_tail() -> bytes:
    return f"\r\n--{BOUNDARY}--\r\n".encode()


def raw_post(url: str, *, cookies: str, declared: int, body: Iterator[bytes]) -> tuple[int, str, int]:
    """POST declaring `declared` bytes, sending the body until the server answers; return (status, page, bytes sent).

    The client checks for an answer before each chunk, so `bytes sent` says how far the server let the
    body come before it answered.
    """
    address = urlparse(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        sock.sendall(
            (
                f"POST {address.path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {declared}\r\nCookie: {cookies}\r\n\r\n"
            ).encode()
        )
        sent = 0
        for chunk in body:
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(chunk)
        return response_read(sock) + (sent,)


def response_read(sock: socket.socket) -> tuple[int, str]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536) or b""
    head, _, page = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = int(next(line.split(":")[1] for line in lines if line.lower().startswith("content-length")))
    while len(page) < length:
        page += sock.recv(65536)
    return int(lines[0].split()[1]), page.decode()


def zeros(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, total, chunk):
        yield bytes(min(chunk, total - start))


@pytest.mark.django_db(transaction=True)
def test_huge_declared_upload_is_refused_before_its_body_is_read(
    live_server, client, admin_hanoi, course_hanoi, upload_temp_dir
):
    """A video upload declaring 6 GB, of which only the form's head is sent, gets a 413 at once, nothing written."""
    lesson = lesson_of(course_hanoi, Lesson.Kind.VIDEO)
    before = lesson_row(lesson)
    head = multipart_head("file", "phim.mp4")
    started = time.monotonic()

    status, page, sent = raw_post(
        live_server.url + reverse("courses:studio_lesson_upload", args=[lesson.id]),
        cookies=cookies_of(client, admin_hanoi),
        declared=6 * GB,
        body=iter([head]),
    )

    assert status == 413
    assert time.monotonic() - started < 5
    assert "This upload is too large (6.0\xa0GB). The largest file accepted here is 2.0\xa0GB." in page
    assert list(upload_temp_dir.iterdir()) == []
    assert lesson_row(lesson) == before


@pytest.mark.django_db(transaction=True)
def test_upload_stops_the_moment_its_file_passes_the_kind_limit(
    live_server, client, admin_hanoi, course_hanoi, upload_temp_dir, settings
):
    """A 64 MB stream to a document lesson limited to 1 MB is cut short past 1 MB, its temporary file deleted.

    The declared length alone would pass (a wide margin for form fields here), so only the count of
    the file's bytes as they arrive can stop it.
    """
    settings.MATERIAL_MAX_BYTES = {**settings.MATERIAL_MAX_BYTES, "document": MB}
    settings.UPLOAD_FORM_FIELDS_MARGIN_BYTES = 128 * MB
    lesson = lesson_of(course_hanoi, Lesson.Kind.DOCUMENT)
    before = lesson_row(lesson)
    head, tail = multipart_head("file", "tai-lieu.pdf"), multipart_tail()
    file_bytes = 64 * MB

    status, page, sent = raw_post(
        live_server.url + reverse("courses:studio_lesson_upload", args=[lesson.id]),
        cookies=cookies_of(client, admin_hanoi),
        declared=len(head) + file_bytes + len(tail),
        body=iter([head, b"%PDF-1.7\n", *zeros(file_bytes - 9), tail]),
    )

    assert status == 413
    assert "This file is larger than 1.0\xa0MB, the largest accepted here. Nothing was saved." in page
    # What the server read, plus what the sockets' buffers held when it answered.
    assert sent < 16 * MB
    assert list(upload_temp_dir.iterdir()) == []
    assert lesson_row(lesson) == before


def test_declared_limit_is_the_lesson_kind_limit(client, admin_hanoi, course_hanoi, settings, files, storage_root):
    """The same 2 MB PDF is refused unread by a document lesson limited to 1 MB and stored by a slides lesson."""
    settings.MATERIAL_MAX_BYTES = {**settings.MATERIAL_MAX_BYTES, "document": MB}
    settings.UPLOAD_FORM_FIELDS_MARGIN_BYTES = 64 * 1024
    document, slides = lesson_of(course_hanoi, Lesson.Kind.DOCUMENT), lesson_of(course_hanoi, Lesson.Kind.SLIDES)
    pdf = media.pdf_pages_make(files)
    padded = files / "lon.pdf"
    padded.write_bytes(pdf.read_bytes() + b"\n%" + b"0" * (2 * MB))
    client.force_login(admin_hanoi)

    responses = {}
    for lesson in (document, slides):
        with padded.open("rb") as upload:
            responses[lesson.kind] = client.post(
                reverse("courses:studio_lesson_upload", args=[lesson.id]), {"file": upload}
            )

    assert responses[Lesson.Kind.DOCUMENT].status_code == 413
    assert Lesson.objects.get(id=document.id).source == ""
    assert responses[Lesson.Kind.SLIDES].status_code == 302
    assert Lesson.objects.get(id=slides.id).source_size == padded.stat().st_size


@pytest.mark.parametrize("who", ["admin of another province", "visitor"])
def test_large_body_for_a_lesson_out_of_reach_is_answered_as_for_no_lesson(who, in_english, admin_hue, course_hanoi):
    """A body too large for any page is refused unread the same way for another province's lesson and
    for a lesson that does not exist, so the answer tells nothing about the lesson."""
    lesson = lesson_of(course_hanoi, Lesson.Kind.VIDEO)
    if who != "visitor":
        in_english.force_login(admin_hue)

    def post(lesson_id: int):
        return in_english.generic(
            "POST",
            reverse("courses:studio_lesson_upload", args=[lesson_id]),
            data=multipart_head("file", "phim.mp4"),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            CONTENT_LENGTH=str(5 * MB),
        )

    theirs, missing = post(lesson.id), post(lesson.id + 1000)

    assert theirs.status_code == missing.status_code == 413
    assert alert_of(theirs) == alert_of(missing)
    assert "The largest file accepted here is 2.5\xa0MB." in alert_of(theirs)


def alert_of(response) -> str:
    return re.search(r'<p role="alert">(.*?)</p>', response.content.decode()).group(1)


def test_zip_bomb_upload_shows_a_translated_error_and_changes_nothing(
    client, admin_hanoi, course_hanoi, files, storage_root
):
    """The studio page says, in Vietnamese, that a zip bomb is refused; the lesson keeps no file."""
    lesson = lesson_of(course_hanoi, Lesson.Kind.DOCUMENT)
    before = lesson_row(lesson)
    client.force_login(admin_hanoi)

    with media.zip_bomb_make(files).open("rb") as upload:
        response = client.post(reverse("courses:studio_lesson_upload", args=[lesson.id]), {"file": upload})

    assert response.status_code == 400
    assert "bom giải nén" in response.content.decode()
    assert lesson_row(lesson) == before


def test_zip_bomb_workbook_is_refused_by_the_question_import(client, admin_hanoi, course_hanoi, files, in_english):
    """A question workbook that unpacks to 256 MB is refused as a zip bomb; no question is added."""
    import zipfile

    from courses.pure.question_template import template_xlsx

    workbook = files / "cau-hoi.xlsx"
    workbook.write_bytes(template_xlsx())
    with zipfile.ZipFile(workbook, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/media/image1.png", "w", force_zip64=True) as part:
            for chunk in zeros(256 * MB, 16 * MB):
                part.write(chunk)
    client.force_login(admin_hanoi)

    with workbook.open("rb") as upload:
        response = in_english.post(reverse("courses:studio_question_import", args=[course_hanoi.id]), {"file": upload})

    assert response.status_code == 400
    assert "(a zip bomb)" in response.content.decode()
    assert Question.objects.filter(course=course_hanoi).count() == 0
