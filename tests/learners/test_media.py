"""Lesson media: who reaches it, range requests, safe headers, downloads, playlists, object storage."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from courses.models import Lesson
from learners.models import LearningEvent, LessonProgress
from learners.services.enrolments import enrolment_create
from tests.factories import course_make, lesson_make, seconds_pass, snapshot, video_lesson_make

pytestmark = pytest.mark.django_db

VIDEO_BYTES = bytes(range(256)) * 40  # 10,240 bytes, each offset's value known
SANDBOX = "sandbox; default-src 'none'"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def store(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


def media(lesson: Lesson, name: str) -> str:
    return reverse("learners:lesson_media", args=[lesson.id, name])


@pytest.fixture
def hue_course(province_hue, learner_hue):
    course = course_make(title="Video ở Huế", province=province_hue)
    enrolment_create(learner=learner_hue, course=course)
    return course


@pytest.fixture
def film(hue_course) -> Lesson:
    """A published video lesson with its MP4 on the local disk."""
    lesson = video_lesson_make(course=hue_course, duration=60.0)
    lesson.source = store(f"lessons/{hue_course.id}/{lesson.id}/source/phim.mp4", VIDEO_BYTES)
    lesson.source_name = "phim.mp4"
    lesson.source_content_type = "video/mp4"
    lesson.save()
    return lesson


# --- Who reaches a lesson's media -------------------------------------------------------------------


def test_enrolled_learner_gets_the_video_whole_with_accept_ranges(client, learner_hue, film):
    """The whole file comes back as 200 with Accept-Ranges, its length and type."""
    client.force_login(learner_hue)
    response = client.get(media(film, film.source.name))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == VIDEO_BYTES
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(VIDEO_BYTES))
    assert response["Content-Type"] == "video/mp4"


@pytest.mark.parametrize("person", [None, "learner_hanoi", "admin_hanoi", "partner_trainer"])
def test_media_is_404_for_visitors_and_people_outside_the_course(client, request, film, person):
    """A visitor, a learner not enrolled, another province's admin and a partner trainer get 404."""
    if person:
        client.force_login(request.getfixturevalue(person))
    assert client.get(media(film, film.source.name)).status_code == 404


@pytest.mark.parametrize("person", ["admin_hue", "ministry_staff"])
def test_staff_in_scope_reach_a_draft_lesson_s_media(client, request, learner_hue, film, person):
    """A draft lesson's file is 404 for the enrolled learner and 200 for Huế's admin and the ministry."""
    Lesson.objects.filter(id=film.id).update(is_published=False)
    client.force_login(learner_hue)
    assert client.get(media(film, film.source.name)).status_code == 404
    client.force_login(request.getfixturevalue(person))
    assert client.get(media(film, film.source.name)).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "lessons/../../onetouch/settings/base.py",
        "lessons/%2e%2e/%2e%2e/manage.py",
        "/etc/passwd",
        "lessons\\..\\secret",
        "lessons/./x.mp4",
    ],
)
def test_path_traversal_is_refused(client, learner_hue, film, name):
    """A name with "..", a leading slash, a backslash or "." segments is refused with 404."""
    client.force_login(learner_hue)
    assert client.get(f"/learning/media/{film.id}/{name}").status_code == 404


def test_another_lesson_s_file_is_not_served_through_this_lesson(client, learner_hue, film, province_hanoi):
    """A file of a lesson in another course is 404 when asked for through a lesson the learner may open."""
    other_course = course_make(province=province_hanoi)
    other = video_lesson_make(course=other_course)
    secret = store(f"lessons/{other_course.id}/{other.id}/source/mat.mp4", b"secret video")
    Lesson.objects.filter(id=other.id).update(source=secret)
    client.force_login(learner_hue)
    assert client.get(media(film, secret)).status_code == 404


# --- Range requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=100-299", 100, 299),
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=0-99999", 0, 10239),
    ],
)
def test_range_request_answers_206_with_the_right_bytes(client, learner_hue, film, header, start, end):
    """A satisfiable range answers 206 with exactly those bytes and the matching Content-Range."""
    client.force_login(learner_hue)
    response = client.get(media(film, film.source.name), HTTP_RANGE=header)
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == VIDEO_BYTES[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(VIDEO_BYTES)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"


def test_unsatisfiable_range_answers_416(client, learner_hue, film):
    """A range starting past the end answers 416 with the size in Content-Range and no bytes."""
    client.force_login(learner_hue)
    response = client.get(media(film, film.source.name), HTTP_RANGE="bytes=20000-20010")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(VIDEO_BYTES)}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=5-1", "items=0-10", "bytes=0-1,5-6", "bytes=abc"])
def test_unusable_range_header_gets_the_whole_file(client, learner_hue, film, header):
    """A backwards, foreign, multiple or malformed range is ignored: the whole file, 200."""
    client.force_login(learner_hue)
    response = client.get(media(film, film.source.name), HTTP_RANGE=header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == VIDEO_BYTES


# --- Safe headers ---------------------------------------------------------------------------------


def test_every_media_answer_is_nosniff_and_sandboxed(client, learner_hue, film):
    """Whole, partial and refused-range answers all carry nosniff and the sandbox CSP."""
    client.force_login(learner_hue)
    for header in ("", "bytes=0-9", "bytes=999999-"):
        response = client.get(media(film, film.source.name), HTTP_RANGE=header)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == SANDBOX


def test_html_under_the_lesson_s_media_is_a_sandboxed_download_never_a_page(client, learner_hue, film):
    """A stray .html file among the lesson's media is served as an octet-stream attachment, sandboxed."""
    prefix = f"lessons/{film.course_id}/{film.id}/r1/"
    Lesson.objects.filter(id=film.id).update(media_prefix=prefix)
    name = store(prefix + "trang.html", b"<script>alert(document.cookie)</script>")
    client.force_login(learner_hue)
    response = client.get(media(film, name))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == SANDBOX
    assert response["X-Content-Type-Options"] == "nosniff"


def test_document_download_is_an_attachment_with_a_safe_name_and_is_recorded(client, learner_hue, hue_course):
    """The handout downloads as an attachment named in ASCII and UTF-8; the download is recorded, not a completion."""
    handout = lesson_make(course=hue_course, kind=Lesson.Kind.DOCUMENT, title="Tài liệu phát tay")
    handout.source = store(f"lessons/{hue_course.id}/{handout.id}/source/tai-lieu.docx", b"PK\x03\x04 docx bytes")
    handout.source_name = 'Tài liệu "đọc thêm".docx'
    handout.source_content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    handout.save()
    client.force_login(learner_hue)
    url = reverse("learners:lesson_download", args=[hue_course.slug, handout.id])

    response = client.get(url)
    first = LessonProgress.objects.get(learner=learner_hue, lesson=handout).downloaded_at
    client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04 docx bytes"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Tai lieu _doc them_.docx"; ')
    assert "filename*=UTF-8''T%C3%A0i%20li%E1%BB%87u%20%22%C4%91%E1%BB%8Dc%20th%C3%AAm%22.docx" in disposition
    assert response["Content-Security-Policy"] == SANDBOX
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=handout)
    assert progress.downloaded_at == first is not None
    assert progress.completed_at is None
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED).exists()


def test_document_is_read_after_its_download_and_half_its_estimated_time(in_english, learner_hue, hue_course):
    """Marking read is refused before the download and before half the estimated minutes; then it completes once."""
    handout = lesson_make(course=hue_course, kind=Lesson.Kind.DOCUMENT, estimated_minutes=4)
    handout.source = store(f"lessons/{hue_course.id}/{handout.id}/source/a.pdf", b"%PDF-1.4")
    handout.save()
    in_english.force_login(learner_hue)
    lesson_page = reverse("learners:lesson", args=[hue_course.slug, handout.id])
    done = reverse("learners:lesson_complete", args=[hue_course.slug, handout.id])
    assert "Mark as read" in in_english.get(lesson_page).content.decode()
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=handout)
    seconds_pass(progress, 3600)

    not_downloaded = in_english.post(done, follow=True).content.decode()
    assert "Download the document and read it before marking it as read." in not_downloaded
    in_english.get(reverse("learners:lesson_download", args=[hue_course.slug, handout.id]))
    assert LessonProgress.objects.get(id=progress.id).completed_at is None

    in_english.post(done)
    assert LessonProgress.objects.get(id=progress.id).completed_at is not None
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.LESSON_COMPLETED, lesson=handout).count() == 1


def test_document_marked_read_too_soon_after_opening_is_refused(in_english, learner_hue, hue_course):
    """Downloaded at once and marked read: two of four estimated minutes have not passed; nothing changes."""
    handout = lesson_make(course=hue_course, kind=Lesson.Kind.DOCUMENT, estimated_minutes=4)
    handout.source = store(f"lessons/{hue_course.id}/{handout.id}/source/b.pdf", b"%PDF-1.4")
    handout.save()
    in_english.force_login(learner_hue)
    in_english.get(reverse("learners:lesson", args=[hue_course.slug, handout.id]))
    in_english.get(reverse("learners:lesson_download", args=[hue_course.slug, handout.id]))
    progress = LessonProgress.objects.get(learner=learner_hue, lesson=handout)
    before = snapshot(progress)

    html = in_english.post(reverse("learners:lesson_complete", args=[hue_course.slug, handout.id]), follow=True)

    assert "it can be marked as read in 2 minutes." in html.content.decode()
    assert snapshot(progress) == before


def test_document_download_is_404_for_a_learner_not_enrolled(client, learner_hanoi, hue_course):
    """Someone outside the course gets 404 and completes nothing."""
    handout = lesson_make(course=hue_course, kind=Lesson.Kind.DOCUMENT)
    handout.source = store(f"lessons/{hue_course.id}/{handout.id}/source/a.pdf", b"%PDF-1.4")
    handout.save()
    client.force_login(learner_hanoi)
    assert client.get(reverse("learners:lesson_download", args=[hue_course.slug, handout.id])).status_code == 404
    assert not LessonProgress.objects.exists()


# --- HLS playlists --------------------------------------------------------------------------------

MASTER = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=640x360
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=1280x720
720p/index.m3u8
"""
VARIANT = """#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.0,
seg_000.ts
#EXTINF:4.0,
seg_001.ts
#EXT-X-ENDLIST
"""


def hls_lesson(course) -> tuple[Lesson, str]:
    lesson = video_lesson_make(course=course, duration=8.0)
    prefix = f"lessons/{course.id}/{lesson.id}/r1/"
    master = store(prefix + "hls/master.m3u8", MASTER.encode())
    for quality in ("360p", "720p"):
        store(prefix + f"hls/{quality}/index.m3u8", VARIANT.encode())
        store(prefix + f"hls/{quality}/seg_000.ts", b"G" + quality.encode())
    Lesson.objects.filter(id=lesson.id).update(media_prefix=prefix, hls_playlist_name=master)
    lesson.refresh_from_db()
    return lesson, prefix


def test_playlist_uris_point_to_our_media_urls_on_local_disk(client, learner_hue, hue_course):
    """The master playlist's variants and a variant's segments and init map become our media URLs."""
    lesson, prefix = hls_lesson(hue_course)
    client.force_login(learner_hue)

    master = client.get(media(lesson, lesson.hls_playlist_name))
    variant = client.get(media(lesson, prefix + "hls/360p/index.m3u8")).content.decode()

    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert master["Content-Security-Policy"] == SANDBOX
    assert media(lesson, prefix + "hls/360p/index.m3u8") in master.content.decode()
    assert media(lesson, prefix + "hls/720p/index.m3u8") in master.content.decode()
    assert media(lesson, prefix + "hls/360p/seg_001.ts") in variant
    assert f'#EXT-X-MAP:URI="{media(lesson, prefix + "hls/360p/init.mp4")}"' in variant
    segment = client.get(media(lesson, prefix + "hls/360p/seg_000.ts"))
    assert b"".join(segment.streaming_content) == b"G360p"


# --- Object storage (a real S3-compatible server: moto in server mode) ------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3-compatible server on a free local port for this module's tests."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    """Lesson media stored in a bucket of the S3-compatible server, through django-storages."""
    options = {
        "bucket_name": "onetouch-lessons",
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "test-key",
        "secret_key": "test-secret",
        "querystring_auth": True,
        "querystring_expire": settings.MEDIA_URL_EXPIRY_SECONDS,
        "file_overwrite": False,
        "addressing_style": "path",
        "signature_version": "s3v4",
    }
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    ).create_bucket(Bucket="onetouch-lessons")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }


def signed_query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_object_storage_media_is_a_redirect_to_a_signed_expiring_url(
    client, learner_hue, hue_course, s3_storage, s3_endpoint, settings
):
    """With S3 storage the video is a 302 to a signed URL that expires; no byte comes through Django."""
    lesson = video_lesson_make(course=hue_course, duration=60.0)
    name = store(f"lessons/{hue_course.id}/{lesson.id}/source/phim.mp4", VIDEO_BYTES)
    Lesson.objects.filter(id=lesson.id).update(source=name)
    client.force_login(learner_hue)

    response = client.get(media(lesson, name))

    assert response.status_code == 302
    assert response.url.startswith(f"{s3_endpoint}/onetouch-lessons/{name}?")
    query = signed_query(response.url)
    assert query["X-Amz-Expires"] == str(settings.MEDIA_URL_EXPIRY_SECONDS)
    assert query["X-Amz-Signature"]
    assert query["response-content-type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX
    assert not getattr(response, "streaming", False) and response.content == b""
    with urllib.request.urlopen(response.url) as stored:
        assert stored.read() == VIDEO_BYTES


def test_object_storage_document_redirect_asks_for_an_attachment(client, learner_hue, hue_course, s3_storage):
    """The signed URL of a document makes the object store answer it as an attachment."""
    handout = lesson_make(course=hue_course, kind=Lesson.Kind.DOCUMENT)
    name = store(f"lessons/{hue_course.id}/{handout.id}/source/hd.pdf", b"%PDF-1.4 handout")
    Lesson.objects.filter(id=handout.id).update(source=name, source_name="Hướng dẫn.pdf")
    client.force_login(learner_hue)

    response = client.get(reverse("learners:lesson_download", args=[hue_course.slug, handout.id]))

    assert response.status_code == 302
    assert signed_query(response.url)["response-content-disposition"].startswith('attachment; filename="Huong dan.pdf"')
    with urllib.request.urlopen(response.url) as stored:
        assert stored.headers["Content-Disposition"].startswith("attachment;")
        assert stored.read() == b"%PDF-1.4 handout"


def test_object_storage_playlist_is_served_with_signed_segment_urls(
    client, learner_hue, hue_course, s3_storage, s3_endpoint
):
    """The playlists come through Django; variants point to our URL, segments to signed storage URLs that work."""
    lesson, prefix = hls_lesson(hue_course)
    client.force_login(learner_hue)

    master = client.get(media(lesson, lesson.hls_playlist_name)).content.decode()
    variant = client.get(media(lesson, prefix + "hls/360p/index.m3u8")).content.decode()

    assert media(lesson, prefix + "hls/360p/index.m3u8") in master
    segment_urls = [line for line in variant.splitlines() if line.startswith("http")]
    assert len(segment_urls) == 2
    assert all(url.startswith(f"{s3_endpoint}/onetouch-lessons/{prefix}hls/360p/seg_") for url in segment_urls)
    assert all("X-Amz-Signature=" in url for url in segment_urls)
    with urllib.request.urlopen(segment_urls[0]) as stored:
        assert stored.read() == b"G360p"


def test_object_storage_media_stays_404_for_people_outside_the_course(client, learner_hanoi, hue_course, s3_storage):
    """No signed URL is handed to someone not enrolled."""
    lesson = video_lesson_make(course=hue_course)
    name = store(f"lessons/{hue_course.id}/{lesson.id}/source/phim.mp4", VIDEO_BYTES)
    Lesson.objects.filter(id=lesson.id).update(source=name)
    client.force_login(learner_hanoi)
    assert client.get(media(lesson, name)).status_code == 404


def test_lesson_page_allows_media_from_the_object_store(client, learner_hue, hue_course, s3_storage, s3_endpoint):
    """With S3 storage the lesson page's CSP lets the player load media, images and segments from the store."""
    lesson = video_lesson_make(course=hue_course)
    client.force_login(learner_hue)
    csp = client.get(reverse("learners:lesson", args=[hue_course.slug, lesson.id]))["Content-Security-Policy"]
    assert f"media-src 'self' blob: {s3_endpoint}" in csp
    assert f"connect-src 'self' {s3_endpoint}" in csp
