"""RepoTrackr settings, read from the environment with safe defaults.

Every variable is listed, with its default, in ``.env.example`` and in the
README's configuration table.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from projects.core.line_links import FORGE_KINDS
from repotrackr.env import (
    env_bool,
    env_forge_hosts,
    env_int,
    env_int_list,
    env_list,
    env_rate,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REPOTRACKR_VAR_DIR", str(BASE_DIR / "var")))

# --- Core -----------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
_GENERATED_KEY_FILE = VAR_DIR / "secret_key"  # written by `make run` on first start
SECRET_KEY = (
    env_secret("SECRET_KEY")
    or (_GENERATED_KEY_FILE.read_text().strip() if _GENERATED_KEY_FILE.is_file() else "")
    or (_DEV_SECRET_KEY if DEBUG else "")
)
if not DEBUG and SECRET_KEY in ("", _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or set SECRET_KEY_FILE).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "accounts",
    "projects",
    "skills",
    # Before django_rq: our `rqscheduler` command (which registers the
    # periodic jobs first) must shadow django-rq's command of that name.
    "jobs",
    "webhooks",
    "notifications",
    "django_rq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "repotrackr.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "repotrackr.bidi.BidiControlStripMiddleware",
]

ROOT_URLCONF = "repotrackr.urls"
WSGI_APPLICATION = "repotrackr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "repotrackr.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web and worker processes read while one writes; IMMEDIATE
    # transactions plus a busy timeout make concurrent writers wait, not fail.
    # Connections persist like PostgreSQL's: opening one per request was most
    # of a small request's cost.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests get a file database, not an in-memory one, so that real worker
    # processes started by the job tests see the same data.
    # Named after the checkout so two checkouts never share one.
    _checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"repotrackr-test-{_checkout}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and queues --------------------------------------------------


def _redis_url_for_test_worker(url: str) -> str:
    """Give each parallel test worker (pytest-xdist) a Redis database of its own.

    RQ's key names are fixed, so two workers sharing a database would see
    each other's queues.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base_db = int(parts.path.lstrip("/") or 0)
    db = base_db + int(worker[2:]) + 1
    return urlunsplit(parts._replace(path=f"/{db}"))


REDIS_URL = _redis_url_for_test_worker(env_str("REDIS_URL", "redis://127.0.0.1:6379/0"))
REDIS_MAX_CONNECTIONS = env_int("REDIS_MAX_CONNECTIONS", 20, minimum=1)
REDIS_SOCKET_TIMEOUT = env_int("REDIS_SOCKET_TIMEOUT", 5, minimum=1)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "repotrackr",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

QUEUE_HIGH = "repotrackr_high"
QUEUE_DEFAULT = "repotrackr"
QUEUE_LOW = "repotrackr_low"
_QUEUE_CONNECTION: dict[str, Any] = {
    "URL": REDIS_URL,
    "DEFAULT_TIMEOUT": env_int("JOB_TIMEOUT_SECONDS", 600, minimum=10),
    "CONNECTION_KWARGS": {
        "max_connections": REDIS_MAX_CONNECTIONS,
        "retry_on_timeout": True,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "health_check_interval": 30,
    },
}
RQ_QUEUES: dict[str, dict[str, Any]] = {
    name: dict(_QUEUE_CONNECTION) for name in (QUEUE_HIGH, QUEUE_DEFAULT, QUEUE_LOW)
}
# `manage.py rqscheduler` takes its Redis connection from the queue named
# "default"; no job is ever enqueued there.
RQ_QUEUES["default"] = dict(_QUEUE_CONNECTION)
RQ_SHOW_ADMIN_LINK = True
# Our worker skips paused queues and gives forked work-horses fresh
# database connections; `manage.py rqworker` picks it up from here.
RQ = {
    "WORKER_CLASS": "jobs.worker.RepoTrackrWorker",
    # Never queues a periodic job's id twice when workers fall behind.
    "SCHEDULER_CLASS": "jobs.scheduling.RepoTrackrScheduler",
}

# --- Background jobs: retries, retention, schedule -----------------------------

# Seconds to wait before each retry of a transiently failed job (network,
# timeouts); one retry per entry, so the list's length is the retry count.
JOB_RETRY_INTERVALS = env_int_list("JOB_RETRY_INTERVALS", "10,30,90")
# How long Redis keeps a finished job's result, and a failed job (seconds).
RQ_RESULT_TTL = env_int("RQ_RESULT_TTL", 24 * 3600, minimum=0)
RQ_FAILURE_TTL = env_int("RQ_FAILURE_TTL", 7 * 24 * 3600, minimum=60)
# Seconds between the scheduler's looks at its schedule (it holds a lock
# for that long, so only one scheduler enqueues); keep it at or below the
# reconciliation interval.
RQ_SCHEDULER_INTERVAL = env_int("RQ_SCHEDULER_INTERVAL", 5, minimum=1)
# Seconds between reconciliation passes (settle jobs whose worker died).
JOB_RECONCILE_INTERVAL = env_int("JOB_RECONCILE_INTERVAL", 15, minimum=1)
# A queued job whose RQ job has vanished is settled only after this grace
# period (seconds), so a record is never failed while it is being enqueued.
JOB_RECONCILE_GRACE = env_int("JOB_RECONCILE_GRACE", 60, minimum=0)
# Seconds a worker's job heartbeat may lag before RQ counts the job
# abandoned (RQ adds 60 s); lower means faster recovery after a crash.
JOB_MONITORING_INTERVAL = env_int("JOB_MONITORING_INTERVAL", 15, minimum=1)
# Seconds a worker waits before looking again at which queues are paused.
QUEUE_PAUSE_POLL_SECONDS = env_int("QUEUE_PAUSE_POLL_SECONDS", 5, minimum=1)
# Seconds between scheduled-refresh passes, and how many refreshes one pass
# may enqueue; they are spread evenly over the pass interval.
SCHEDULED_REFRESH_EVERY = env_int("SCHEDULED_REFRESH_EVERY", 300, minimum=10)
SCHEDULED_REFRESH_MAX_PER_PASS = env_int("SCHEDULED_REFRESH_MAX_PER_PASS", 50, minimum=1)
# Seconds between prune passes (retention below).
JOB_PRUNE_EVERY = env_int("JOB_PRUNE_EVERY", 24 * 3600, minimum=60)
# Days finished job records and refresh history are kept.
JOB_RECORD_RETENTION_DAYS = env_int("JOB_RECORD_RETENTION_DAYS", 30, minimum=1)
REFRESH_HISTORY_RETENTION_DAYS = env_int("REFRESH_HISTORY_RETENTION_DAYS", 180, minimum=1)
# Snapshots older than this many days are thinned to one per project per day.
SNAPSHOT_FULL_RETENTION_DAYS = env_int("SNAPSHOT_FULL_RETENTION_DAYS", 30, minimum=1)
# Snapshots older than this many days are deleted, except each project's latest
# (0 keeps them all): two years of one a day is 730 rows per project.
SNAPSHOT_RETENTION_DAYS = env_int("SNAPSHOT_RETENTION_DAYS", 730, minimum=0)
# Clone directories older than this (seconds) are swept; keep it well above
# REPOTRACKR_CLONE_TIMEOUT so a running clone is never removed.
CLONE_SWEEP_AFTER_SECONDS = env_int("CLONE_SWEEP_AFTER_SECONDS", 3600, minimum=60)

# --- Push webhooks (webhooks/) --------------------------------------------------

# Deliveries each project's endpoint accepts per window (attempts/seconds),
# counted in the Redis cache; over it: 429. Redis down: refused (503).
WEBHOOK_RATE_LIMIT = env_rate("WEBHOOK_RATE_LIMIT", "30/60")
# Largest delivery body read, in bytes; a larger one is refused (413) before
# it is read. Push payloads list at most 20 commits; 1 MiB leaves room.
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# Days the delivery log is kept.
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 30, minimum=1)

# --- Email (notifications, verification, password reset) ----------------------

# SMTP by default; `make run` uses the console backend (mails print to the log).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "RepoTrackr <repotrackr@localhost>")

# --- Notifications (notifications/) ------------------------------------------

# Absolute base of links in notifications and emails (no trailing slash).
REPOTRACKR_SITE_URL = env_str("REPOTRACKR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Private and loopback addresses as notification targets, plain http: dev and tests only.
REPOTRACKR_ALLOW_LOCAL_NOTIFY = env_bool("REPOTRACKR_ALLOW_LOCAL_NOTIFY", False)
# Failed refreshes in a row before project.refresh_failing is sent.
NOTIFY_FAILING_AFTER = env_int("NOTIFY_FAILING_AFTER", 3, minimum=1)
# Seconds per socket operation of one delivery, and the answer bytes read.
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 10, minimum=1)
NOTIFY_MAX_RESPONSE_BYTES = env_int("NOTIFY_MAX_RESPONSE_BYTES", 64 * 1024, minimum=1024)
# Seconds between delivery attempts after a retryable failure.
NOTIFY_RETRY_INTERVALS = env_int_list("NOTIFY_RETRY_INTERVALS", "10,60,300,1800")
# A delivery still pending or sending this many seconds after its last change
# (a killed worker) is queued again by the sweep, with the same delivery id.
NOTIFY_REDELIVER_AFTER = env_int("NOTIFY_REDELIVER_AFTER", 600, minimum=30)
NOTIFY_SWEEP_EVERY = env_int("NOTIFY_SWEEP_EVERY", 300, minimum=10)
# Days the delivery log is kept (the daily prune applies it).
NOTIFY_DELIVERY_RETENTION_DAYS = env_int("NOTIFY_DELIVERY_RETENTION_DAYS", 30, minimum=1)
# The weekly digest goes out on this weekday (0 = Monday) from this UTC hour.
NOTIFY_DIGEST_WEEKDAY = env_int("NOTIFY_DIGEST_WEEKDAY", 0, minimum=0)
NOTIFY_DIGEST_HOUR = env_int("NOTIFY_DIGEST_HOUR", 8, minimum=0)

# --- Authentication and accounts ----------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
SIGNUP_ENABLED = env_bool("SIGNUP_ENABLED", False)

# --- HTTPS (turn on behind TLS; check --deploy then reports nothing) ---------

SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation and static files -------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# --- Content-Security-Policy (repotrackr/csp.py) ------------------------------
# Our own origin only and no inline script. Style attributes stay allowed: progress
# bars set their width that way, and no script can run from a style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API --------------------------------------------------------------------

API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "repotrackr.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "repotrackr.api_pagination.ApiPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_SCHEMA_CLASS": "repotrackr.api_resources.GroupedAutoSchema",
    "VIEW_NAME_FUNCTION": "repotrackr.api_resources.view_name",
    "EXCEPTION_HANDLER": "repotrackr.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Anonymous health checks answer the status alone (no figures) when this is on.
HEALTH_STATUS_ONLY = env_bool("HEALTH_STATUS_ONLY", False)
# The schema and Swagger UI need a signed-in user (or a token) unless this is on.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)
from repotrackr.api_groups import API_GROUPS  # noqa: E402

SPECTACULAR_SETTINGS = {
    "TITLE": "RepoTrackr API",
    "DESCRIPTION": (
        "Track the progress and skills of many git repositories. "
        "[Back to RepoTrackr](/) · [API root](/api/v1/) · "
        "Authenticate with `Authorization: Bearer <token>` (create one under API tokens)."
    ),
    "TAGS": [{"name": name, "description": text} for name, text in API_GROUPS],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from our own static files (drf-spectacular-sidecar):
    # the docs page works offline and makes no third-party requests.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Another "status" enum beside the job and project ones: name it, or the names collide.
    "ENUM_NAME_OVERRIDES": {
        "DeliveryStatusEnum": "notifications.models.DeliveryStatus.choices",
        "ProjectStatusEnum": "projects.models.ProjectStatus.choices",
    },
}

# --- Rate limits (jobs/ratelimit.py; counted per user in the Redis cache) -----

RATE_LIMITS = {
    "refresh": env_rate("RATE_LIMIT_REFRESH", "5/300"),
    "create_project": env_rate("RATE_LIMIT_CREATE_PROJECT", "10/3600"),
    # "Send a test" and verification emails: the app must not become a relay.
    "notify_test": env_rate("RATE_LIMIT_NOTIFY_TEST", "5/600"),
}
# Lifts the per-user budgets, but only for users holding the
# jobs.exempt_from_rate_limits permission (being staff is not enough).
RATE_LIMIT_EXEMPT_STAFF = env_bool("RATE_LIMIT_EXEMPT_STAFF", False)
# Failed sign-ins (site and admin) per username and client address, and a
# looser budget per username from anywhere; past either: 429 with Retry-After.
LOGIN_RATE_LIMIT = env_rate("LOGIN_RATE_LIMIT", "5/300")
LOGIN_RATE_LIMIT_PER_USERNAME = env_rate("LOGIN_RATE_LIMIT_PER_USERNAME", "50/3600")
# Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed.
# Empty (the default): the client address is REMOTE_ADDR, X-Forwarded-For ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# django-ratelimit's own switches: its cache, and a fresh key prefix.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "rl:"

# --- RepoTrackr -----------------------------------------------------------------

# Local paths and private network hosts as repository URLs: dev and tests only.
REPOTRACKR_ALLOW_LOCAL_REPOS = env_bool("REPOTRACKR_ALLOW_LOCAL_REPOS", False)
# Self-hosted code hosts, so a task's file:line links to the host: host=kind pairs.
REPOTRACKR_FORGE_HOSTS = env_forge_hosts("REPOTRACKR_FORGE_HOSTS", FORGE_KINDS)
REPOTRACKR_CLONE_DIR = Path(env_str("REPOTRACKR_CLONE_DIR", str(VAR_DIR / "clones")))
REPOTRACKR_CLONE_TIMEOUT = env_int("REPOTRACKR_CLONE_TIMEOUT", 120, minimum=1)
REPOTRACKR_LS_REMOTE_TIMEOUT = env_int("REPOTRACKR_LS_REMOTE_TIMEOUT", 30, minimum=1)
REPOTRACKR_MAX_REPO_BYTES = env_int("REPOTRACKR_MAX_REPO_MB", 500, minimum=1) * 1024 * 1024
REPOTRACKR_MAX_PLAN_BYTES = env_int("REPOTRACKR_MAX_PLAN_BYTES", 2_000_000, minimum=1024)
# Caps of a repository's file listing (a "git bomb" fans a 200 KB repository
# out to millions of paths): the walk stops there. Reading every file (the
# skills scan) then fails with "the repository has more than N files"; plan
# discovery carries on with the part listed, and says so in a warning.
REPOTRACKR_MAX_TREE_ENTRIES = env_int("REPOTRACKR_MAX_TREE_ENTRIES", 200_000, minimum=100)
REPOTRACKR_MAX_TREE_BYTES = env_int("REPOTRACKR_MAX_TREE_MB", 64, minimum=1) * 1024 * 1024
# Address-space limit (RLIMIT_AS) of every git process a job starts; 0 = none.
REPOTRACKR_GIT_MEMORY_BYTES = env_int("REPOTRACKR_GIT_MEMORY_MB", 2048, minimum=0) * 1024 * 1024
# Resident memory past which a forked work-horse fails its job; 0 = no watchdog.
REPOTRACKR_JOB_MAX_RSS_BYTES = env_int("REPOTRACKR_JOB_MAX_RSS_MB", 1024, minimum=0) * 1024 * 1024
# Bytes of manifests (package.json, lock files, compose files...) one skills extraction reads.
REPOTRACKR_SKILLS_MANIFEST_BUDGET = env_int(
    "REPOTRACKR_SKILLS_MANIFEST_BUDGET", 32 * 1024 * 1024, minimum=1024
)
REPOTRACKR_TOKEN_KEY = env_secret("REPOTRACKR_TOKEN_KEY") or SECRET_KEY
# Keys used before a rotation, comma-separated: stored tokens still decrypt.
REPOTRACKR_TOKEN_OLD_KEYS = env_list("REPOTRACKR_TOKEN_OLD_KEYS", "")
REPOTRACKR_STALE_AFTER_DAYS = env_int("REPOTRACKR_STALE_AFTER_DAYS", 14, minimum=1)
REPOTRACKR_GREEN_AT = env_int("REPOTRACKR_GREEN_AT", 70, minimum=0)
REPOTRACKR_YELLOW_AT = env_int("REPOTRACKR_YELLOW_AT", 30, minimum=0)
REPOTRACKR_REFRESH_INTERVAL_HOURS = env_int("REPOTRACKR_REFRESH_INTERVAL_HOURS", 6, minimum=1)

# --- Logging ----------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"rq.worker": {"level": env_str("RQ_LOG_LEVEL", "INFO")}},
}
