"""Settings come from the environment, with defaults that run the embedded demo."""

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The embedded runs' var folder: a private new folder, never a fixed name under /tmp that anyone could plant.
EMBEDDED_VAR_DIR = tempfile.mkdtemp(prefix="onetouch-settings-")
SET_BY_TEST_SETTINGS = {
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "CACHE_KEY_PREFIX",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SITE_URL",
}
# What every production run sets (the platform refuses to start without it).
PRODUCTION = {"SITE_URL": "https://onetouch.example.vn"}
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "time_zone": settings.TIME_ZONE,
    "language": settings.LANGUAGE_CODE,
}))
"""


def run_with(env: dict[str, str], code: str = PRINT_SETTINGS) -> subprocess.CompletedProcess:
    # The test run's own variables (set by onetouch.settings.test) must not leak into the child.
    clean = {k: v for k, v in os.environ.items() if k not in SET_BY_TEST_SETTINGS}
    clean |= {"DJANGO_SETTINGS_MODULE": "onetouch.settings.base"} | env
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_embedded_defaults_need_no_service():
    """With nothing set but DEBUG, the platform uses SQLite, a file cache, a file broker and the disk."""
    result = run_with({"DEBUG": "true", "ONETOUCH_VAR_DIR": EMBEDDED_VAR_DIR})
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["cache"].endswith("FileBasedCache")
    assert values["broker"] == "filesystem://localhost/"
    assert values["storage"] == "django.core.files.storage.FileSystemStorage"
    assert (values["time_zone"], values["language"]) == ("Asia/Ho_Chi_Minh", "vi")


def test_production_variables_switch_on_postgres_redis_and_s3():
    """DATABASE_URL, REDIS_URL and a bucket switch on PostgreSQL with persistent connections, Redis and S3."""
    result = run_with(
        PRODUCTION
        | {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "AWS_STORAGE_BUCKET_NAME": "onetouch-media",
        }
    )
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] > 0
    assert values["cache"] == "onetouch.cache.RedisCacheOrNothing"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["storage"] == "storages.backends.s3.S3Storage"


PRINT_DATABASES = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({alias: [db["HOST"], db["PORT"], db["TEST"]["MIRROR"]] for alias, db in settings.DATABASES.items()}))
"""


def test_database_replica_url_adds_the_replica_alias_mirrored_in_tests():
    """Without DATABASE_REPLICA_URL there is no "replica" alias; with it, one that tests never build."""
    primary = {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@10.0.0.1:5432/onetouch"}
    alone = json.loads(run_with(primary, code=PRINT_DATABASES).stdout)
    both = json.loads(
        run_with(
            primary | {"DATABASE_REPLICA_URL": "postgres://onetouch@10.0.0.2:5433/onetouch"}, code=PRINT_DATABASES
        ).stdout
    )
    assert list(alone) == ["default"]
    assert both["replica"] == ["10.0.0.2", 5433, "default"]


def test_debug_off_without_secret_key_refuses_to_start():
    """Production without a SECRET_KEY stops with a clear message instead of using a default."""
    result = run_with({})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_debug_off_without_site_url_refuses_to_start():
    """Certificates print SITE_URL in words and in a QR code: production never falls back to a default."""
    result = run_with({"SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode != 0
    assert "Set SITE_URL" in result.stderr


def test_site_url_without_scheme_or_host_refuses_to_start():
    for wrong in ("onetouch.example.vn", "ftp://onetouch.example.vn", "https://"):
        result = run_with({"SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": wrong})
        assert result.returncode != 0, wrong
        assert "SITE_URL must be an http(s) address" in result.stderr


def test_site_url_is_taken_from_the_environment():
    code = "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"
    deployed = run_with({"SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": "https://hoc.example.vn/"}, code=code)
    embedded = run_with({"DEBUG": "true", "ONETOUCH_VAR_DIR": EMBEDDED_VAR_DIR}, code=code)
    assert deployed.stdout.strip() == "https://hoc.example.vn"
    assert embedded.stdout.strip() == "http://127.0.0.1:8000"


def test_deployment_checklist_passes_with_production_variables():
    """manage.py check --deploy finds nothing to warn about with DEBUG off."""
    result = run_with(
        PRODUCTION
        | {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "onetouch.example.vn",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        code="import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_manage_py_runs_in_debug_only_in_a_checkout_without_secret_key():
    """manage.py turns DEBUG on when no SECRET_KEY is set, and leaves it off in a deployment."""
    show_debug = ["shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)"]

    def manage(env: dict[str, str]) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if k not in SET_BY_TEST_SETTINGS | {"DJANGO_SETTINGS_MODULE"}}
        clean |= {"ONETOUCH_VAR_DIR": EMBEDDED_VAR_DIR} | env
        return subprocess.run(
            [sys.executable, "manage.py", *show_debug], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
        )

    assert "DEBUG True" in manage({}).stdout
    deployed = manage(PRODUCTION | {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "onetouch.example.vn"})
    assert "DEBUG False" in deployed.stdout, deployed.stderr


def test_malformed_value_stops_the_start_naming_the_variable():
    """A value that is not what the setting takes stops the start, naming the variable, never a silent default."""
    embedded = {"DEBUG": "true", "ONETOUCH_VAR_DIR": EMBEDDED_VAR_DIR}
    for name, wrong, reason in (
        ("DEBUG", "maybe", "Not a valid boolean"),
        ("EMAIL_PORT", "25a", "Not a valid integer"),
        ("VIDEO_COMPLETION_SHARE", "most", "Not a valid number"),
    ):
        result = run_with(embedded | {name: wrong})
        assert result.returncode != 0, name
        assert f'Environment variable "{name}" invalid: {reason}' in result.stderr, result.stderr


def test_host_lists_ignore_spaces_and_empty_entries():
    code = "import django; from django.conf import settings; django.setup(); print(settings.ALLOWED_HOSTS)"
    result = run_with(
        {"DEBUG": "true", "ONETOUCH_VAR_DIR": EMBEDDED_VAR_DIR, "ALLOWED_HOSTS": " a.vn,, b.vn ,"},
        code=code,
    )
    assert result.stdout.strip() == "['a.vn', 'b.vn']", result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    """.env.example documents each variable settings/base.py reads, so a deployment sees them all."""
    read = set(re.findall(r'env(?:\.\w+|_names)\(\s*"([A-Z0-9_]+)"', (ROOT / "onetouch/settings/base.py").read_text()))
    listed = set(re.findall(r"^#? ?([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert len(read) > 40
    assert read - listed == set()
