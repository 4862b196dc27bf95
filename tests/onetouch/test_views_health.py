"""/healthz reports the database, cache, broker and storage, and fails when one is down."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_every_part_answers(client):
    """With PostgreSQL, Redis and the disk up, every check is ok."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {body["checks"][name] for name in ("database", "cache", "broker", "storage")} == {"ok"}


def test_healthz_is_503_when_the_cache_is_unreachable(client, settings):
    """A cache server that does not answer makes the report fail with 503."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_is_503_when_storage_is_not_writable(client, settings, tmp_path):
    """A media folder that cannot be written makes the storage check fail."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error")
