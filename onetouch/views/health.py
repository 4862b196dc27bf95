"""/healthz: readiness checks of the parts the platform cannot work without, and the page that runs them."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_check() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def broker_check() -> None:
    from onetouch.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def storage_check() -> None:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as stored:
            if stored.read() != b"ok":
                raise RuntimeError("storage did not return what was stored")
    finally:
        default_storage.delete(name)


CHECKS = {
    "database": database_check,
    "cache": cache_check,
    "broker": broker_check,
    "storage": storage_check,
}


def health_report() -> dict[str, str]:
    """Run every check; each part is "ok" or the kind of error it raised."""
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
            report[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means the part is down
            report[name] = f"error: {type(error).__name__}"
    report["broker_url"] = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = all(report[name] == "ok" for name in CHECKS)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503)
