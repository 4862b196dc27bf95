"""Test settings: the real PostgreSQL and Redis on 127.0.0.1, and a fast password hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/onetouch")
# The "replica" alias is there in every test run: without a real replica it is the primary itself,
# a test mirror of its test database (tests/reporting/test_replica.py points it at a real one).
os.environ.setdefault("DATABASE_REPLICA_URL", os.environ["DATABASE_URL"])
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CACHE_KEY_PREFIX", "onetouch-test")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("SITE_URL", "http://testserver")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests check that a saved course, and a fold on the dashboards, show at once.
CATALOGUE_GENERATION_TRUST_SECONDS = 0
FOLD_STAMP_TRUST_SECONDS = 0
