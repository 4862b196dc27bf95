"""All settings of the platform.

Everything that varies by deployment is read from the environment here, with defaults that run
the embedded demo: SQLite, local disk, background jobs on kombu's filesystem transport. There is
no production module: production differs only by environment variables (see .env.example).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from environs import Env, validate
from kombu import Exchange, Queue

from onetouch import queues

# environs parses and validates each variable: a value it cannot read (DEBUG=maybe, EMAIL_PORT=25a)
# stops the start with 'Environment variable "DEBUG" invalid: ...' instead of a silent default.
# https://github.com/sloria/environs
env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = env.path("ONETOUCH_VAR_DIR", BASE_DIR / "var")


def env_names(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list of names, ignoring spaces around them and empty entries."""
    return [item for item in env.list(name, default, subcast=str.strip) if item]


# --- Core -------------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY, or DEBUG=true for a development run.")
    SECRET_KEY = "development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_names("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_names("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    # Sign-in through an OpenID Connect provider (VNeID, a ministry's SSO), set by OIDC_* below.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # The mobile app signs in through allauth's API (/_allauth/app/v1/…) and gets a session token.
    "allauth.headless",
    "csp",
    # Production email through a provider's API (EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend).
    "anymail",
    "onetouch",
    "courses",
    "learners",
    "inperson",
    "rosters",
    "announcements",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Progress heartbeats, the hottest path, go straight to their view from here: they need none of
    # the middleware below (learners.middleware says what it keeps of them).
    "learners.middleware.HeartbeatShortcutMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the middleware below and the views write (it must wrap anything that reads or
    # writes the body); after WhiteNoise, which serves static files pre-compressed. Text only, never a
    # byte range (onetouch.compression); Django >= 4.2 pads gzip with random bytes against BREACH.
    "onetouch.compression.TextGZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onetouch.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CsrfViewMiddleware, which reads the body: an oversized one is refused first (onetouch.upload_limits).
    "onetouch.upload_limits.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Inside allauth's: a limit raised in a sign-in flow answers 429 (onetouch.middleware).
    "onetouch.middleware.RateLimitedAnswersMiddleware",
]

ROOT_URLCONF = "onetouch.urls"
WSGI_APPLICATION = "onetouch.wsgi.application"
AUTH_USER_MODEL = "onetouch.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL selects the database; the embedded default is an SQLite file under var/.
# Persistent connections (CONN_MAX_AGE) with health checks, so a dropped connection is replaced.
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections

DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'onetouch.sqlite3'}",
        conn_max_age=env.int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One process holds the file at a time; wait for it instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

# DATABASE_REPLICA_URL: a streaming replica of that PostgreSQL, read by the dashboards and exports
# only (onetouch/db_routers.py, docs/decisions/0026). Unset: no "replica" alias, every read on the
# primary. Tests never create a database on it: it mirrors the primary's test database.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.dj_db_url(
        "DATABASE_REPLICA_URL",
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # A replica that does not answer is given up quickly: its reads then go to the primary.
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 3, **DATABASES["replica"].get("OPTIONS", {})}
DATABASE_ROUTERS = ["onetouch.db_routers.PrimaryReplicaRouter"]

# --- Cache and broker -------------------------------------------------------------------------
# With REDIS_URL set, Redis is the cache and the Celery broker. Without it the cache is a
# directory on disk, shared by every process of the embedded run (login rate limits and cached
# catalogue fragments must be seen by the worker and the web process alike).
# While Redis is down the cache acts as no cache at all (onetouch.cache.RedisCacheOrNothing): pages
# are built for every request, rate limits let requests through, nothing answers 500
# (docs/decisions/0013). Short socket timeouts keep a vanished server from holding up a page.

REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "onetouch.cache.RedisCacheOrNothing",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "onetouch"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -----------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Reliability: a task is acknowledged before it runs (at most once) unless the task itself says
# acks_late=True, which only idempotent tasks do. Time limits bound every task, and the broker's
# visibility timeout is longer than the hard limit so an unacknowledged task is not redelivered
# while it still runs.

CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_VISIBILITY_TIMEOUT = 3600
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_RETRY_DELAY = 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", False)

# Queues by kind of work, each with workers of its own in production (onetouch/queues.py, docs/decisions/0027).
# A worker started without -Q consumes all of them; a route to a queue not listed is an error, not a new queue.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in queues.QUEUE_NAMES]
CELERY_TASK_DEFAULT_QUEUE = queues.DEFAULT
CELERY_TASK_CREATE_MISSING_QUEUES = False
# Every task by name (beat queues by name too, so periodic runs go the same way). A new task gets a
# line here: tests/onetouch/test_queues.py fails for a task without one.
CELERY_TASK_ROUTES = {
    name: {"queue": queue}
    for queue, names in {
        queues.DEFAULT: [
            "courses.tasks.course_enrolment_counts_refresh",
            "courses.tasks.lessons_unprocessed_requeue",
            "learners.tasks.certificate_issue",
            "learners.tasks.certificates_missing_issue",
            "learners.tasks.quiz_attempts_expired_grade",
            "inperson.tasks.seats_release_unenrolled",
            "inperson.tasks.attendance_completions_record",
            "reporting.tasks.export_files_expire",
            "rosters.tasks.roster_files_expire",
            "rosters.tasks.roster_imports_stalled_requeue",
            "api.tasks.idempotency_keys_expire",
        ],
        queues.STATISTICS: ["reporting.tasks.statistics_fold", "reporting.tasks.statistics_compact"],
        queues.MEDIA: ["courses.tasks.lesson_process"],
        queues.MAIL: [
            "onetouch.tasks.email_send",
            "onetouch.tasks.invitation_send",
            "onetouch.tasks.invitations_unsent_send",
            "inperson.tasks.day_notices_send",
        ],
        queues.BULK_MAIL: [
            "onetouch.tasks.invitation_send_in_bulk",
            "announcements.tasks.announcement_recipients_claim",
            "announcements.tasks.deliveries_send",
            "announcements.tasks.deliveries_sweep",
            "announcements.tasks.reminders_claim",
        ],
        queues.EXPORTS: [
            "reporting.tasks.export_file_write",
            "rosters.tasks.roster_check",
            "rosters.tasks.roster_import_run",
        ],
    }.items()
    for name in names
}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
else:
    # The embedded default: the worker and beat started by `make run` exchange messages through
    # files under var/broker, so jobs run with nothing to install.
    _broker_dir = VAR_DIR / "broker"
    # The transport fails on missing folders; make them so any manage.py command can queue jobs.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    # The transport ignores the host; naming one keeps kombu from warning "No hostname was supplied".
    CELERY_BROKER_URL = "filesystem://localhost/"
    # Every folder is named, so nothing lands in the working directory: kombu's default control
    # folder (its exchange table) is "control/" relative to wherever the process was started.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    }

# How often the worker looks for in-person day notices owed (seconds); tests run beats faster.
INPERSON_NOTICES_EVERY_S = env.float("INPERSON_NOTICES_EVERY_S", 60.0)

# Announcements and reminders (docs/decisions/0023). Recipients per sending task; how often the sweep
# sends what is due (retries, lost jobs); how often reminders are looked for (tests run beats faster).
ANNOUNCEMENTS_BATCH_SIZE = env.int("ANNOUNCEMENTS_BATCH_SIZE", 500)
ANNOUNCEMENTS_SEND_EVERY_S = env.float("ANNOUNCEMENTS_SEND_EVERY_S", 60.0)
ANNOUNCEMENTS_REMINDERS_EVERY_S = env.float("ANNOUNCEMENTS_REMINDERS_EVERY_S", 3600.0)
# A learner with no activity for this many days is reminded once, when their course run ends within
# the window's days (today included).
ANNOUNCEMENTS_INACTIVE_DAYS = env.int("ANNOUNCEMENTS_INACTIVE_DAYS", 7)
ANNOUNCEMENTS_REMINDER_WINDOW_DAYS = env.int("ANNOUNCEMENTS_REMINDER_WINDOW_DAYS", 14)

# Periodic work. Each entry says what it keeps fresh.
CELERY_BEAT_SCHEDULE = {
    # Forget the API's idempotency keys after their day (docs/decisions/0035).
    "api-idempotency-keys-expire": {
        "task": "api.tasks.idempotency_keys_expire",
        "schedule": 3600.0,
    },
    # Recount each course's enrolments from the enrolment table: the only writer of the catalogue's
    # counts and "most enrolled" order, at most ten minutes behind (enrolling leaves the course's
    # row alone, so a crowd enrolling in one course does not queue on it).
    "courses-enrolment-counts-refresh": {
        "task": "courses.tasks.course_enrolment_counts_refresh",
        "schedule": 600.0,
    },
    # Fold the learning events written since the last run into the summary counts, so the
    # statistics are at most a minute or two behind (a run finding another still going skips).
    "reporting-statistics-fold": {
        "task": "reporting.tasks.statistics_fold",
        "schedule": 60.0,
    },
    # Move the rows the fold wrote into the big summary, so the fold's small table stays an hour
    # of rows and the fold's cost follows its new events, not the history (docs/decisions/0025).
    "reporting-statistics-compact": {
        "task": "reporting.tasks.statistics_compact",
        "schedule": 3600.0,
    },
    # Issue the certificates whose job could not be queued when the course was completed (the
    # broker was down then): learning never waits for Redis, so the sweep catches up afterwards.
    "learners-certificates-missing-issue": {
        "task": "learners.tasks.certificates_missing_issue",
        "schedule": 600.0,
    },
    # Grade the quiz attempts whose time ran out while nobody was on their page (no page view
    # grades one), so their result reaches the statistics within ten minutes of the deadline.
    "learners-quiz-attempts-expired-grade": {
        "task": "learners.tasks.quiz_attempts_expired_grade",
        "schedule": 600.0,
    },
    # Queue processing again for video and slides lessons whose job was lost, so none shows
    # "Processing…" forever: a job never queued (the broker was down at upload) is queued within
    # LESSON_PROCESSING_RETRY_AFTER_S plus ten minutes; a run whose worker died, two hours after it began.
    "courses-lessons-unprocessed-requeue": {
        "task": "courses.tasks.lessons_unprocessed_requeue",
        "schedule": 600.0,
    },
    # A learner who left a course leaves its in-person day: their seat goes to the first learner
    # waiting within a minute (the learners app cannot call the inperson app above it).
    "inperson-seats-unenrolled-release": {
        "task": "inperson.tasks.seats_release_unenrolled",
        "schedule": 60.0,
    },
    # Tell learners what they are owed about their in-person day: a change, the cancellation, a
    # seat from the waiting list (each also queued at once by the write), and the reminder the day
    # before, found within a minute of midnight in Vietnam. Every message goes out once however
    # many beats or runs there are (inperson.services.notices).
    "inperson-day-notices-send": {
        "task": "inperson.tasks.day_notices_send",
        "schedule": INPERSON_NOTICES_EVERY_S,
    },
    # Write "completed in person" for learners who attended a day and completed the course online
    # afterwards, within a minute (the learners app cannot call the inperson app above it).
    "inperson-attendance-completions-record": {
        "task": "inperson.tasks.attendance_completions_record",
        "schedule": 60.0,
    },
    # Send the invitations (and password reset codes) whose task could not be queued when they were
    # made (the broker was down): an invited official gets their message within fifteen minutes.
    "onetouch-invitations-unsent-send": {
        "task": "onetouch.tasks.invitations_unsent_send",
        "schedule": 600.0,
    },
    # Delete uploaded roster files past ROSTER_FILES_KEEP_DAYS: they list people's names and numbers.
    "rosters-files-expire": {
        "task": "rosters.tasks.roster_files_expire",
        "schedule": 3600.0,
    },
    # Queue again a roster's check or import whose job was lost (the broker was down, a worker died);
    # one job per import runs at a time, and a row imported is never imported again.
    "rosters-imports-stalled-requeue": {
        "task": "rosters.tasks.roster_imports_stalled_requeue",
        "schedule": 600.0,
    },
    # Remind learners inactive for ANNOUNCEMENTS_INACTIVE_DAYS whose course run ends within
    # ANNOUNCEMENTS_REMINDER_WINDOW_DAYS: found within the hour, once per learner and run however many
    # beats or runs there are (announcements.services.reminders), and queued for sending in batches.
    "announcements-reminders-claim": {
        "task": "announcements.tasks.reminders_claim",
        "schedule": ANNOUNCEMENTS_REMINDERS_EVERY_S,
    },
    # Send what is due of announcements and reminders whose batch task was lost or failed (retries
    # after their backoff), and list the recipients of an announcement whose job was lost: nothing
    # waits longer than a minute past its time.
    "announcements-deliveries-sweep": {
        "task": "announcements.tasks.deliveries_sweep",
        "schedule": ANNOUNCEMENTS_SEND_EVERY_S,
    },
    # Delete the export files past their keeping time: learner lists are personal data.
    "reporting-export-files-expire": {
        "task": "reporting.tasks.export_files_expire",
        "schedule": 3600.0,
    },
}

# --- Storage ----------------------------------------------------------------------------------
# Local disk by default; an S3-compatible object store when AWS_STORAGE_BUCKET_NAME is set.
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html

MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = env.path("STATIC_ROOT", VAR_DIR / "static")
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Lifetime of the signed URLs that let a browser fetch lesson media from the object store.
MEDIA_URL_EXPIRY_SECONDS = env.int("MEDIA_URL_EXPIRY_SECONDS", 3600)
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", "") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", ""),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", ""),
            "querystring_auth": True,
            # Version 4 signatures: the only ones many S3-compatible stores accept.
            "signature_version": "s3v4",
            # A worker reading a stored video spools it to disk past 8 MB instead of holding it.
            "max_memory_size": 8 * 1024 * 1024,
            "querystring_expire": MEDIA_URL_EXPIRY_SECONDS,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Accounts (django-allauth) ----------------------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
# Email is the main identifier; a Vietnamese mobile number is a second one, and the only one of an
# account created from a roster without an email. Phone codes go out by onetouch.sms (SMS_BACKEND).

# Django's and allauth's backends, each reading the signed-in account with one plain SELECT; the
# session row too (SESSION_ENGINE; docs/decisions/0040).
AUTHENTICATION_BACKENDS = [
    "onetouch.sessions.ModelBackend",
    "onetouch.sessions.AuthenticationBackend",
]
SESSION_ENGINE = "onetouch.sessions"
ACCOUNT_ADAPTER = "onetouch.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "learners.forms.ProfileSignupForm"
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
# Rate limits limit guessing, not people (docs/decisions/0013). Successful sign-ins are not
# limited per address: a commune hall's Wi-Fi or a province's office puts a hundred learners behind
# one address. allauth's own failed-sign-in limit would let anyone lock any account, so
# onetouch.throttles counts failures instead (ONETOUCH_RATE_LIMITS below).
# Signing up and verifying a phone are limited per address only loosely, for the same hall: a
# mass sign-up script still meets the limit, and a number still gets one code per 30 s.
ACCOUNT_RATE_LIMITS = {
    "login": "",
    "login_failed": "",
    "signup": "100/m/ip",
    "verify_phone": "1/30s/key,100/m/ip",
}
# After a password reset the owner is signed in, so the reset link is a way in even while an
# account is throttled for browsers it never signed in on.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
LOGIN_REDIRECT_URL = "courses:home"
LOGIN_URL = "account_login"
ACCOUNT_LOGOUT_REDIRECT_URL = "courses:home"

# The mobile app's sign-in: django-allauth's headless API, "app" client only, beside the HTML pages
# (docs/decisions/0038). https://docs.allauth.org/en/latest/headless/configuration.html
# The app posts the same email or mobile number (E.164, +84…) and password as the login page to
# /_allauth/app/v1/auth/login, through the same adapter (onetouch.adapters: the failed sign-in
# counts, inactive accounts refused), and receives a session token: an ordinary session of the
# SESSION_ENGINE, so it lasts as a browser's (SESSION_COOKIE_AGE) and DELETE …/auth/session ends it.
# It sends the token as X-Session-Token to /api/v1/ (api.authentication.SessionTokenAuthentication).
# Sign-up through the app asks the web's questions through the same form (ACCOUNT_SIGNUP_FORM_CLASS).
# No "browser" client: the site's own pages are the browser's.
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ["app"]
# Left empty: links in mails (confirming an email, resetting a password) lead to the site's pages.
HEADLESS_FRONTEND_URLS = {}

# New passwords with Argon2id (onetouch/hashers.py, docs/decisions/0032); a password stored with
# PBKDF2 still verifies, and is stored again with Argon2id at its owner's next sign-in.
PASSWORD_HASHERS = [
    "onetouch.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ------------------------------------------------------------------------------------
# The console by default (`make run`); SMTP with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# and EMAIL_HOST…; or a provider's API through django-anymail with
# EMAIL_BACKEND=anymail.backends.<provider>.EmailBackend (amazon_ses, brevo, mailgun, postmark,
# sendgrid, …) and that provider's settings as ANYMAIL_<NAME> variables: every variable named
# ANYMAIL_… goes into the ANYMAIL dict without its prefix (ANYMAIL_MAILGUN_API_KEY → MAILGUN_API_KEY).
# https://anymail.dev/en/stable/esps/

EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
# Mail comes from the platform's own domain (SITE_URL's host) unless a deployment names its address
# (left empty, as in a copied .env.example, it is unset: an empty sender is refused by mail servers).
DEFAULT_FROM_EMAIL = (
    env.str("DEFAULT_FROM_EMAIL", "")
    or f"OneTouch <no-reply@{urlsplit(env.str('SITE_URL', '')).hostname or 'localhost'}>"
)
# Subjects name the platform, not the host the request came in by (allauth's default "[host] ").
ACCOUNT_EMAIL_SUBJECT_PREFIX = "OneTouch – "

# --- Text messages (onetouch.sms) -------------------------------------------------------------
# "log" writes each message to the log (the embedded run); "http" posts it to a provider as JSON
# {"to": "+84…", "text": "…"} with "Authorization: Bearer SMS_HTTP_TOKEN" (the contract is in
# onetouch/sms.py). Timeouts, connection errors and 5xx answers are retried SMS_HTTP_RETRIES times,
# waiting SMS_HTTP_BACKOFF_S, then twice that, …; a 4xx answer is the provider's refusal, not retried.

SMS_BACKEND = env.str("SMS_BACKEND", "log", validate=validate.OneOf(["log", "http"]))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT_S = env.float("SMS_HTTP_TIMEOUT_S", 10.0)
SMS_HTTP_RETRIES = env.int("SMS_HTTP_RETRIES", 2)
SMS_HTTP_BACKOFF_S = env.float("SMS_HTTP_BACKOFF_S", 1.0)
if SMS_BACKEND == "http" and not SMS_HTTP_URL:
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL, the provider's address.")

# --- Invitations and codes by SMS (onetouch.services.invitations) ----------------------------
# An account created from a roster is invited to set its password: by a link (email) valid this many
# days after it was sent, or by a code sent by SMS to a phone-only account, valid as long.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", 14)
# A password reset code sent by SMS is valid this many minutes.
PASSWORD_RESET_CODE_VALID_MINUTES = env.int("PASSWORD_RESET_CODE_VALID_MINUTES", 30)
# Wrong codes typed for one invitation or reset code before it is locked (a new one must be asked for).
ACCOUNT_CODE_MAX_ATTEMPTS = env.int("ACCOUNT_CODE_MAX_ATTEMPTS", 5)

# --- Client address and rate limits ---------------------------------------------------------
# The client's address is REMOTE_ADDR, unless the site runs behind TRUSTED_PROXY_COUNT proxies of
# our own that each append the address they received from to X-Forwarded-For: then it is the
# address that many entries from the right, the one our outermost proxy saw. Everything to its
# left was written by the client and is never trusted (onetouch.throttles.client_address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0)

# Our own rate limits, in django-allauth's notation (amount/period/per), counted by
# onetouch.throttles in the cache; while the cache is unreachable they let everything through.
ONETOUCH_RATE_LIMITS = {
    # Failed sign-ins from one address, whatever the accounts: a guesser trying many accounts.
    "login_failed_address": "30/m/ip",
    # Failed sign-ins to one account from one address, from browsers it never signed in on.
    "login_failed_account_address": "5/5m/key",
    # Failed sign-ins to one account from every address together, from browsers it never signed
    # in on: a guesser with many addresses gets 20 tries an hour.
    "login_failed_account": "20/h/key",
    # Failed sign-ins to one account from one browser it signed in on before: the owner's own
    # typing, never consumed by anybody else.
    "login_failed_known_device": "5/5m/key",
    # Certificate codes not found, from one address: only guessing misses, so anyone can check
    # as many real certificates as they like.
    "certificate_lookup_miss": "30/m/ip",
    # Codes by SMS typed wrong (invitations, password resets) from one address, whatever the phones:
    # each code locks after ACCOUNT_CODE_MAX_ATTEMPTS, this stops trying many phones.
    "account_code_wrong": "20/h/ip",
    # Password reset codes asked for: one per phone every two minutes, and a commune hall's worth per address.
    "password_reset_by_phone": "1/2m/key,30/h/ip",
}

# --- Languages and time -----------------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# Our catalogue first; then the Vietnamese translation of django-allauth's own pages, which the
# package does not ship (makemessages only rewrites the first path, so the second one is kept).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
# One date format per language across the site (onetouch/formats/: 04/12/2026, 4 Dec 2026).
FORMAT_MODULE_PATH = ["onetouch.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Security ---------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER through USE_X_FORWARDED_PROTO.

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy: scripts only from our origin or carrying the request's nonce.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The vendored QR scanner (static/vendor/qr-scanner) runs its decoder in a worker built from a blob.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Single sign-on (OpenID Connect) ----------------------------------------------------------
# Sign-in with the national electronic identity (VNeID) or a ministry's SSO through django-allauth's
# openid_connect provider, configured here only (docs/decisions/0033). Without OIDC_ISSUER_URL there
# is no button and the provider's addresses answer 404. Register the platform at the provider with
# the redirect URL SITE_URL/accounts/oidc/<OIDC_PROVIDER_ID>/login/callback/.
OIDC_ISSUER_URL = env.str("OIDC_ISSUER_URL", "").rstrip("/")
OIDC_PROVIDER_ID = env.str("OIDC_PROVIDER_ID", "vneid", validate=validate.Regexp(r"^[a-z0-9_-]+$"))
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", "VNeID")
# The button's text as is, in every language; empty: "Sign in with <OIDC_PROVIDER_NAME>", translated.
OIDC_BUTTON_LABEL = env.str("OIDC_BUTTON_LABEL", "")
SOCIALACCOUNT_ADAPTER = "onetouch.adapters.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "onetouch.oidc_forms.OIDCSignupForm"}
# A first sign-in always answers the profile questions (no account made from the claims alone).
SOCIALACCOUNT_AUTO_SIGNUP = False
# A sign-in whose email the provider verified (email_verified) enters the account with that email
# and is linked to it; a verified mobile number does the same (onetouch.adapters.SocialAccountAdapter).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Starting a sign-in takes a POST with the CSRF token (the login page's button), never a link.
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's provider with a nonce sent and checked (onetouch/oidc.py).
        "provider_class": "onetouch.oidc.NonceCheckingOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
    }
}
if OIDC_ISSUER_URL:
    if urlsplit(OIDC_ISSUER_URL).scheme not in ("http", "https") or not urlsplit(OIDC_ISSUER_URL).netloc:
        raise ImproperlyConfigured(f"OIDC_ISSUER_URL must be an http(s) address, not {OIDC_ISSUER_URL!r}.")
    if not env.str("OIDC_CLIENT_ID", ""):
        raise ImproperlyConfigured(
            "Set OIDC_CLIENT_ID, the client id the provider gave the platform, with OIDC_ISSUER_URL."
        )
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": OIDC_PROVIDER_ID,
            "name": OIDC_PROVIDER_NAME,
            "client_id": env.str("OIDC_CLIENT_ID", ""),
            "secret": env.str("OIDC_CLIENT_SECRET", ""),
            "settings": {
                "server_url": OIDC_ISSUER_URL,
                # "openid" always: without it no ID token comes back, and so no nonce to check.
                "scope": [
                    "openid",
                    *(s for s in env_names("OIDC_SCOPES", ["profile", "email", "phone"]) if s != "openid"),
                ],
                "oauth_pkce_enabled": True,
                "button_label": OIDC_BUTTON_LABEL,
            },
        }
    ]
    # The sign-in button posts to us and is redirected to the provider: browsers hold that redirect
    # to form-action too.
    _issuer = urlsplit(OIDC_ISSUER_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")

# --- Lessons and materials ------------------------------------------------------------------
# Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, never whole into memory, and
# are copied to storage in chunks. Limits per kind of file, in bytes, from the environment.
# A body is refused (413) on its declared length before it is read, and a file the moment it passes
# its view's limit: FileSizeLimitHandler comes first and stops the handlers that keep the file.
# Views without @upload_limit take files of DATA_UPLOAD_MAX_MEMORY_SIZE at most (onetouch/upload_limits.py).
# https://docs.djangoproject.com/en/5.2/topics/http/file-uploads/#upload-handlers
FILE_UPLOAD_HANDLERS = [
    "onetouch.upload_limits.FileSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Where uploads wait while they stream in; default the system's temporary folder.
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", "") or None
# Room for the form's other fields (CSRF token, names) on top of a view's file limit.
UPLOAD_FORM_FIELDS_MARGIN_BYTES = 1024 * 1024
MATERIAL_MAX_BYTES = {
    "video": env.int("MATERIAL_MAX_VIDEO_BYTES", 2 * 1024**3),
    "slides": env.int("MATERIAL_MAX_SLIDES_BYTES", 100 * 1024**2),
    "document": env.int("MATERIAL_MAX_DOCUMENT_BYTES", 50 * 1024**2),
    "image": env.int("MATERIAL_MAX_IMAGE_BYTES", 10 * 1024**2),
    "captions": env.int("MATERIAL_MAX_CAPTIONS_BYTES", 1024**2),
}
# Office files (DOCX, XLSX, PPTX, ODP) are zip archives: one whose parts declare more than this once
# unpacked is refused, like one with a part compressed over 100:1 (courses/media/office_files.py),
# before anything unpacks it. A real office file unpacks to a few times its size at most.
OFFICE_MAX_UNPACKED_BYTES = env.int("OFFICE_MAX_UNPACKED_BYTES", 500 * 1024**2)
# A video lesson is complete when this share of it was watched and its last seconds reached.
VIDEO_COMPLETION_SHARE = env.float("VIDEO_COMPLETION_SHARE", 0.9)
# Seconds a video or slides lesson may wait for its processing to start before the beat sweep
# (courses.tasks.lessons_unprocessed_requeue) queues it again: long enough for a busy queue.
LESSON_PROCESSING_RETRY_AFTER_S = env.int("LESSON_PROCESSING_RETRY_AFTER_S", 900)
# Completion needs the time the work takes, by the server's clock (docs/decisions/0010).
# A slide page counts as seen once it was on screen this many seconds.
SLIDE_PAGE_MIN_SECONDS = env.float("SLIDE_PAGE_MIN_SECONDS", 3.0)
# A playing video reports its intervals this often. Heartbeats are the busiest write at campaign
# scale (docs/decisions/0030): 20 instead of 10 halves them with nothing lost, since the player
# keeps what it played until the server has it, and completion rules do not depend on the interval.
# Pages already open learn a new value from their next heartbeat's answer. At least 2 s.
HEARTBEAT_SECONDS = max(2, env.int("HEARTBEAT_SECONDS", 10))
# A text or document lesson may be marked read once this share of its reading time has passed
# since it was first opened: a text's words at this many a minute, a document's estimated minutes;
# never a longer wait than the maximum.
LESSON_READING_SHARE = env.float("LESSON_READING_SHARE", 0.5)
LESSON_READING_WORDS_PER_MINUTE = env.int("LESSON_READING_WORDS_PER_MINUTE", 200)
LESSON_READING_WAIT_MAX_SECONDS = env.int("LESSON_READING_WAIT_MAX_SECONDS", 600)

# --- Certificates -----------------------------------------------------------------------------
# The public address of the site: certificate PDFs, their QR codes and emails point at it, so a
# deployment must say it (a default would print a wrong address on every certificate).
SITE_URL = env.str("SITE_URL", "").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("Set SITE_URL to the site's public address, e.g. https://onetouch.example.vn.")
    SITE_URL = "http://127.0.0.1:8000"
if urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an http(s) address with a host, not {SITE_URL!r}.")
# Who issues national courses' certificates (a province's course: its Department).
CERTIFICATE_NATIONAL_ISSUER = env.str("CERTIFICATE_NATIONAL_ISSUER", "Bộ Khoa học và Công nghệ")

# --- Statistics -------------------------------------------------------------------------------
# A learner-level export with more rows than this is written by a worker, with a download link.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", 10000)
# Days an export file is kept for download before it is deleted (learner lists are personal data).
EXPORT_FILES_KEEP_DAYS = env.int("EXPORT_FILES_KEEP_DAYS", 7)
# Uploaded roster files (names, numbers, addresses) are deleted this many days after their check.
ROSTER_FILES_KEEP_DAYS = env.int("ROSTER_FILES_KEEP_DAYS", 7)

# --- Platform ---------------------------------------------------------------------------------

CATALOGUE_PAGE_SIZE = 12
# Rendered catalogue fragments are served for this long, then rebuilt by one process at a time.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", 60)
# How long a dashboard page stays in the cache; each fold (every minute) already makes the next
# view build a new one (reporting.views.dashboards, docs/decisions/0025).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", 600)
# How many connections a statistics rebuild builds its summary on at once, a partition each
# (reporting.services.rebuild): about the number of cores PostgreSQL can give it.
STATISTICS_REBUILD_CONNECTIONS = env.int("STATISTICS_REBUILD_CONNECTIONS", 2)
# How long a process trusts the catalogue generation it last read (a saved course shows after that).
CATALOGUE_GENERATION_TRUST_SECONDS = 1.0
# How long a process trusts the statistics' fold stamp it last read (a fold shows on the dashboards after that).
FOLD_STAMP_TRUST_SECONDS = 1.0
# How long the reverse proxy (deploy/nginx.conf) may serve an anonymous home, catalogue or course page
# without asking Django (Cache-Control s-maxage, onetouch/proxy_cache.py): a published change shows
# to visitors within this many seconds.
PROXY_PAGE_CACHE_SECONDS = env.int("PROXY_PAGE_CACHE_SECONDS", 30)

# --- REST API (the api app, docs/decisions/0034) ------------------------------------------------
# Django REST framework under /api/v1/, its OpenAPI 3 schema at /api/schema/ and Swagger UI at
# /api/docs/, served from our own static files (drf-spectacular-sidecar) under the CSP above.
# Requests carry an API key (Authorization: Bearer …) or a signed-in session (CSRF for writes);
# every error is an RFC 9457 problem (application/problem+json) in the requester's language.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        # The mobile app's X-Session-Token from allauth's headless sign-in (docs/decisions/0038).
        "api.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.RequesterRateThrottle"],
    # JSON only: the browsable API's pages carry inline scripts; /api/docs/ is the page for people.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OneTouch API",
    "VERSION": "1",
    "DESCRIPTION": (
        "Send your key as `Authorization: Bearer <key>` (a province's IT staff make keys in the studio). "
        "A key sees exactly what the pages show its province, partner or the ministry; anything else "
        "answers 404 like a missing address. A learner's app sends instead the session token of "
        "POST /_allauth/app/v1/auth/login as `X-Session-Token`, for the learner's own /api/v1/me/ endpoints. "
        "Errors are RFC 9457 problems (application/problem+json) "
        "in the language of Accept-Language (Vietnamese by default); their `type` is `/api/problems/<kind>`. "
        "Every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset; a 429 carries Retry-After."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Bodies sent and answers received as separate components: a text a body must not leave blank says
    # minLength 1 there, while the same kind of field in an answer may be "" (a reason_text).
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.problems_document"],
}
# Requests one API key (or one signed-in account) may make, as amount/period with period s, m or h,
# counted in Redis (the cache) per fixed window; while the cache is down, requests are let through.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", "600/m", validate=validate.Regexp(r"^[1-9][0-9]*/([1-9][0-9]*)?[smh]$"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # fpdf2's font subsetting logs every glyph at INFO when a certificate is drawn.
        "fontTools": {"level": "WARNING"},
    },
}
