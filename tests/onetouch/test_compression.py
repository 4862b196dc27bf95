"""Gzip: pages go compressed to a client that accepts it; media and byte ranges never do."""

import gzip
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from learners.services.enrolments import enrolment_create
from onetouch.compression import PrecompressedText
from tests.factories import course_make, video_lesson_make

pytestmark = pytest.mark.django_db

VIDEO_BYTES = bytes(range(256)) * 40  # 10,240 bytes, each offset's value known


@pytest.fixture
def film(settings, tmp_path, province_hue, learner_hue):
    """A published video lesson of a course the Huế learner is enrolled in, its MP4 on local disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    course = course_make(title="Video ở Huế", province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    lesson = video_lesson_make(course=course, duration=60.0)
    lesson.source = default_storage.save(f"lessons/{course.id}/{lesson.id}/source/phim.mp4", ContentFile(VIDEO_BYTES))
    lesson.source_name = "phim.mp4"
    lesson.source_content_type = "video/mp4"
    lesson.save()
    return lesson


def test_the_catalogue_goes_gzipped_to_a_client_that_accepts_it(client):
    for number in range(6):
        course_make(title=f"Khóa học số {number}", summary="Hướng dẫn người dân dùng dịch vụ công trực tuyến. " * 3)

    plain = client.get("/courses/")
    packed = client.get("/courses/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content)
    assert html == plain.content
    assert len(packed.content) < len(html) / 2


@pytest.mark.parametrize(("header", "start", "end"), [("bytes=100-299", 100, 299), ("bytes=-40", 10200, 10239)])
def test_a_video_range_still_answers_206_with_the_exact_bytes(client, learner_hue, film, header, start, end):
    client.force_login(learner_hue)
    url = reverse("learners:lesson_media", args=[film.id, film.source.name])

    response = client.get(url, HTTP_RANGE=header, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 206
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == VIDEO_BYTES[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(VIDEO_BYTES)}"
    assert response["Content-Length"] == str(end - start + 1)


def test_a_whole_video_is_sent_as_it_is(client, learner_hue, film):
    client.force_login(learner_hue)
    url = reverse("learners:lesson_media", args=[film.id, film.source.name])

    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == VIDEO_BYTES


@pytest.mark.parametrize(
    "text",
    ["<p>PH</p><form>PH</form>" + "Thống kê theo tỉnh. " * 500, "no place at all", "PH", "", "PHPH"],
)
def test_a_precompressed_text_decodes_to_the_text_with_each_value(text):
    """Stretches compressed once and a value compressed alone make one gzip body, for any value."""
    page = PrecompressedText.of(text, "PH")

    for value in ("token-một", ""):
        assert gzip.decompress(page.gzip(value)) == text.replace("PH", value).encode()
        assert page.text(value) == text.replace("PH", value)


def test_a_precompressed_value_shares_no_compression_with_the_text():
    """The value's own deflate stream is in the body as it is: nothing of the page's text compressed it (BREACH)."""
    value = "s3cr3t-token-" * 4
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    alone = compressor.compress(value.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)

    body = PrecompressedText.of(f"<form>{value[:20]}PH</form>" * 3, "PH").gzip(value)

    assert alone in body
