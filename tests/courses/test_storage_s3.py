"""S3-compatible storage: uploads and the worker's media go to a bucket, and media URLs are signed and expire.

The object store is moto's server, a real S3-compatible HTTP server started on 127.0.0.1 for this
module; the platform talks to it through django-storages and boto3 exactly as to a production store.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.media import transcoding
from courses.models import Lesson
from courses.services.materials import lesson_source_upload
from courses.services.structure import lesson_create, module_create
from tests import fixtures_media as media
from tests.factories import course_make, lesson_wait

BUCKET = "onetouch-test-media"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3-compatible server, in its own process on a free local port."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    """An empty bucket, set as the default storage with the options onetouch/settings/base.py gives S3.

    Two options base.py should carry too: signature version 4 (X-Amz-* query parameters), since boto3
    would otherwise presign a custom endpoint's URLs with the deprecated version 2, which many
    S3-compatible stores refuse; and max_memory_size, so a worker reading a stored video spools it to
    disk past 8 MB instead of holding it whole in memory.
    """
    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": CREDENTIALS["region_name"],
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "querystring_auth": True,
                "querystring_expire": settings.MEDIA_URL_EXPIRY_SECONDS,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "max_memory_size": 8 * 1024 * 1024,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def bucket_keys(client) -> set[str]:
    keys, token = set(), {}
    while True:
        page = client.list_objects_v2(Bucket=BUCKET, **token)
        keys |= {item["Key"] for item in page.get("Contents", [])}
        if not page.get("IsTruncated"):
            return keys
        token = {"ContinuationToken": page["NextContinuationToken"]}


@pytest.fixture
def module(transactional_db):
    return module_create(course=course_make(is_published=False), title="Phần 1")


@pytest.fixture
def files(tmp_path) -> Path:
    return tmp_path


def test_upload_and_processing_write_source_and_media_into_the_bucket(bucket, module, files, celery_worker_running):
    """The source and every derived file (poster, playlists, segments) land in the bucket, nowhere on disk."""
    lesson = lesson_create(module=module, title="Phim", kind=Lesson.Kind.VIDEO)
    video = media.mp4_make(files, seconds=3)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(video, content_type="text/html"))
    assert bucket_keys(bucket) == {Lesson.objects.get(id=lesson.id).source.name}

    lesson = lesson_wait(lesson.id)

    assert lesson.processing == Lesson.Processing.READY, lesson.processing_error
    keys = bucket_keys(bucket)
    assert {lesson.source.name, lesson.poster_name, lesson.hls_playlist_name} <= keys
    master = bucket.get_object(Bucket=BUCKET, Key=lesson.hls_playlist_name)["Body"].read().decode()
    variants = transcoding.hls_master_variants(master)
    assert len(variants) == 2
    assert {f"{lesson.media_prefix}hls/{variant.uri}" for variant in variants} <= keys
    assert any(key.endswith(".ts") and "/360p/" in key for key in keys)
    assert bucket.get_object(Bucket=BUCKET, Key=lesson.source.name)["Body"].read() == video.read_bytes()
    content_types = {
        name: bucket.head_object(Bucket=BUCKET, Key=name)["ContentType"]
        for name in (lesson.source.name, lesson.hls_playlist_name, lesson.poster_name)
    }
    assert content_types == {
        lesson.source.name: "video/mp4",
        lesson.hls_playlist_name: "application/vnd.apple.mpegurl",
        lesson.poster_name: "image/jpeg",
    }
    segment = next(key for key in keys if key.endswith(".ts"))
    assert bucket.head_object(Bucket=BUCKET, Key=segment)["ContentType"] == "video/mp2t"


def test_slides_pages_are_written_into_the_bucket(bucket, module, files, celery_worker_running):
    """A PDF deck's page images are made from the bucket's copy and written back to it."""
    lesson = lesson_create(module=module, title="Trình chiếu", kind=Lesson.Kind.SLIDES)
    lesson_source_upload(lesson=lesson, uploaded_file=media.uploaded(media.pdf_pages_make(files, pages=2)))

    lesson = lesson_wait(lesson.id)

    assert lesson.processing == Lesson.Processing.READY, lesson.processing_error
    assert bucket_keys(bucket) == {lesson.source.name, lesson.page_image_name(1), lesson.page_image_name(2)}


def test_media_urls_are_signed_and_expire(bucket, settings, db):
    """storage.url() gives a signed URL that expires after MEDIA_URL_EXPIRY_SECONDS and fetches the object."""
    name = default_storage.save("lessons/1/1/media-test/hls/master.m3u8", SimpleUploadedFile("m.m3u8", b"#EXTM3U\n"))

    url = default_storage.url(name)

    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(settings.MEDIA_URL_EXPIRY_SECONDS)]
    assert query["X-Amz-Signature"][0]
    assert query["X-Amz-Credential"][0].startswith(CREDENTIALS["aws_access_key_id"])
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"#EXTM3U\n"


def test_refused_upload_stores_nothing_in_the_bucket(bucket, db, province_hanoi):
    """An HTML page named .mp4 is refused and the bucket stays empty."""
    from django.core.exceptions import ValidationError

    module = module_create(course=course_make(province=province_hanoi), title="Phần 1")
    lesson = lesson_create(module=module, title="Phim", kind=Lesson.Kind.VIDEO)

    with pytest.raises(ValidationError):
        lesson_source_upload(lesson=lesson, uploaded_file=SimpleUploadedFile("film.mp4", media.SCRIPT_HTML))

    assert bucket_keys(bucket) == set()
    assert Lesson.objects.get(id=lesson.id).source.name == ""
