"""/healthz reports the database, cache, broker and storage, and fails when one is down."""

import pytest
from django.db import connection
from django.urls import reverse

from onetouch.celery import app

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
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
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


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_is_unreachable(client):
    """A database server that does not answer makes the report fail with 503, naming the database."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"].startswith("error")
    assert {checks[name] for name in ("cache", "broker", "storage")} == {"ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    """A broker that does not answer makes the report fail with 503, naming the broker."""
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"].startswith("error")
    assert {checks[name] for name in ("database", "cache", "storage")} == {"ok"}
