"""No stored file is public by accident: the media folder has no URL, in the embedded run too.

The embedded run (`make run`) has DEBUG on. Django's `static()` helper used to serve the whole
media folder then, so a draft lesson's video, a learner export or a certificate PDF answered any
anonymous visitor who knew or guessed its name. These tests load the URLs as the embedded run
does (DEBUG on) and ask for a file of every kind that is stored.
"""

import importlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import clear_url_caches, reverse
from PIL import Image

from tests.factories import course_make

pytestmark = pytest.mark.django_db

STORED_FILES = {
    "draft lesson video": ("lessons/7/11/source/bai-giang.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
    "slide page image": ("lessons/7/12/derived/page-001.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    "certificate PDF": ("certificates/CERT-ABCD-1234.pdf", b"%PDF-1.4\n%%EOF\n"),
    "learner export": ("exports/2026/12/hoc-vien-ha-noi.csv", "Họ và tên,Email\n".encode()),
    "cover image": ("covers/anh-bia.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def embedded_urls(settings, tmp_path):
    """The project's URLs as the embedded run loads them: DEBUG on, files on the local disk."""
    import onetouch.urls

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    importlib.reload(onetouch.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(onetouch.urls)
    clear_url_caches()


@pytest.mark.parametrize("kind", STORED_FILES)
def test_no_stored_file_answers_under_the_media_url(client, embedded_urls, kind):
    """Every kind of stored file answers 404 at /media/<name>, even with DEBUG on."""
    name, content = STORED_FILES[kind]
    saved = default_storage.save(name, ContentFile(content))
    assert default_storage.exists(saved)

    response = client.get(f"/media/{saved}")

    assert response.status_code == 404


def test_draft_course_cover_is_seen_only_by_staff_in_scope(
    client, embedded_urls, province_hanoi, admin_hanoi, admin_hue
):
    """A draft course's cover answers like a missing course to a visitor and to another province's admin."""
    course = course_make(province=province_hanoi, is_published=False)
    course.cover_image.save("anh-bia.png", ContentFile(png_bytes()))
    url = reverse("courses:cover", args=[course.slug])

    anonymous = client.get(url)
    client.force_login(admin_hue)
    other_province = client.get(url)
    client.force_login(admin_hanoi)
    owner = client.get(url)

    assert anonymous.status_code == 404
    assert other_province.status_code == 404
    assert owner.status_code == 200
    assert owner["Content-Type"] == "image/png"
    assert b"".join(owner.streaming_content) == png_bytes()
    assert "private" in owner["Cache-Control"]


def test_published_course_cover_is_public_and_cannot_run_as_a_page(client, embedded_urls):
    course = course_make()
    course.cover_image.save("anh-bia.png", ContentFile(png_bytes()))

    response = client.get(reverse("courses:cover", args=[course.slug]))
    page = client.get(reverse("courses:detail", args=[course.slug]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert reverse("courses:cover", args=[course.slug]).encode() in page.content
    assert b"/media/" not in page.content


def test_cover_of_a_file_that_is_not_an_image_is_a_download(client, embedded_urls):
    """A cover stored under another suffix is never shown inline, whatever its bytes."""
    course = course_make()
    course.cover_image.save("trang.html", ContentFile(b"<script>alert(1)</script>"))

    response = client.get(reverse("courses:cover", args=[course.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
