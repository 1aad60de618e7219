"""Settings for the postmortem workspace: one file, read from the environment.

Every variable is documented in README.md ("Configuration").
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from postmortems.env import env_bool, env_int, env_list, env_paths, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value, or set DEBUG=1 for "
            "a local development server (which then uses an insecure built-in key)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    # The JSON API (postmortems/api/): its docs page's templates and static files.
    "ninja",
    "postmortems",
    "incidents",
    "actions",
    "postmortems.learning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "postmortems.timezones.ViewerTimezoneMiddleware",
    # Every page needs a login; views opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "postmortems.urls"
WSGI_APPLICATION = "postmortems.wsgi.application"
ASGI_APPLICATION = "postmortems.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

FORM_RENDERER = "postmortems.formrenderer.FormRenderer"

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
# WAL lets readers work while one writer writes; IMMEDIATE transactions take
# the write lock up front, so concurrent writers wait (busy_timeout) instead
# of failing with "database is locked" when a read lock is upgraded.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"),
}
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# No connection pool (Django's "pool" option): under ASGI a request the client
# aborts leaves its thread's executor broken, request_finished never runs and
# the pooled connection is never given back; with a pool of 8 the 30-minute
# soak failed 288 requests (docs/benchmarks.md). A connection per request it is.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
    # A file (not :memory:) so that live-server and concurrency tests share it;
    # one per process so that parallel test runs never delete each other's.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Uploaded attachments; served through an access-checked view, never directly.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve straight from the app folders in development and tests, so neither
# needs a collectstatic step.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)

# Redis: the Celery broker and the live bus. Without it, tasks run eagerly in
# the web process and the live bus is in-process (one server process only).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-task leaves the message unacknowledged, so it is redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How long Redis keeps a task a worker took but never acknowledged (it died)
# before handing it to another worker: longer than any task runs. Workers
# look for such tasks every 10 s (kombu's default: every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE

# Action reminders: each owner's digest and the escalations of items more
# than a week overdue, once a day at this hour (TIME_ZONE), from the one beat.
ACTION_REMINDER_HOUR = env_int("ACTION_REMINDER_HOUR", 7)
if not 0 <= ACTION_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured(
        f"ACTION_REMINDER_HOUR={ACTION_REMINDER_HOUR} is not an hour (0-23)."
    )
CELERY_BEAT_SCHEDULE = {
    "action-reminders": {
        "task": "actions.tasks.send_action_reminders",
        "schedule": crontab(hour=ACTION_REMINDER_HOUR, minute=0),
    },
}

# The cache holds presence (who has which page open); shared through Redis
# by all web processes when REDIS_URL is set.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Export: where finished postmortems are written. Paths typed by users
# (log_root) must resolve inside one of EXPORT_LOG_ROOTS.
EXPORT_REPO_ROOT = env_paths("EXPORT_REPO_ROOT", [BASE_DIR / "var" / "export-repo"])[0]
EXPORT_LOG_ROOTS = env_paths("EXPORT_LOG_ROOTS", [BASE_DIR / "var" / "log-roots"])
# Who the export's commits are by (author and committer).
EXPORT_GIT_AUTHOR_NAME = env_str("EXPORT_GIT_AUTHOR_NAME", "Postmortem export")
EXPORT_GIT_AUTHOR_EMAIL = env_str("EXPORT_GIT_AUTHOR_EMAIL", "postmortems@localhost")
# Deliveries of one export run, retries and redeliveries after a killed
# worker alike, before it is marked failed with the reason on its panel.
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 6)
if EXPORT_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(f"EXPORT_MAX_ATTEMPTS={EXPORT_MAX_ATTEMPTS} must be at least 1.")

# Email: printed to the console in development, sent through SMTP (a local
# MTA by default) otherwise, unless EMAIL_BACKEND names another backend.
# Django 6.1's MAILERS; the SMTP options apply to the SMTP backend only.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": 30,
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "postmortems@localhost")
# Where people reach the app: the links in reminder emails start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Scripts only from this origin or with the request's nonce; the
# stylesheet is our own file, so no inline styles either.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The JSON API and its hooks (postmortems/api/). Limits are per minute.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 300)
HOOK_RATE_LIMIT = env_int("HOOK_RATE_LIMIT", 60)
CI_WEBHOOK_SECRET = env_str("CI_WEBHOOK_SECRET")
CI_FAILURE_WINDOW_MINUTES = env_int("CI_FAILURE_WINDOW_MINUTES", 60)
SLACK_SIGNING_SECRET = env_str("SLACK_SIGNING_SECRET")

# Demo workspace (make run): the login printed at start.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-postmortem"
