"""Cascade's settings: one module, everything from the environment.

The defaults serve a local checkout (SQLite, eager tasks). Production sets
``DEBUG=false``, ``SECRET_KEY``, ``DATABASE_URL`` and ``REDIS_URL``; see the
README's configuration table.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "accounts.admin_site.SupportAdminConfig",  # django.contrib.admin, across tenants
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, for FORM_RENDERER below
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "accounts",
    "okr",
]

MIDDLEWARE = [
    "okr.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "okr.guards.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.OrganizationMiddleware",
    "okr.guards.HostileInputMiddleware",
    # Turns a log-in refused by the lock-out (accounts/lockout.py) into its 429.
    "axes.middleware.AxesMiddleware",
    "okr.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "okr.urls"
# Every form field renders through one template, templates/forms/field.html.
FORM_RENDERER = "okr.forms.FieldRenderer"
WSGI_APPLICATION = "okr.wsgi.application"

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
                "accounts.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Migrations may run as another role, the owner of the tables; the application's role
# (DATABASE_URL) then owns nothing and is subject to row-level security
# (docs/operations.md). Unset, one role does everything, as `make run` does.
# `manage.py migrate` connects with its credentials instead (okr/management/commands/migrate.py).
MIGRATE_DATABASE_URL = env.str("MIGRATE_DATABASE_URL", default="")
DATABASE_APP_ROLE = DATABASES["default"]["USER"] if MIGRATE_DATABASE_URL else ""
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A connection that died while idle is replaced at the next request, so the
    # processes recover by themselves when PostgreSQL comes back.
    _database["CONN_HEALTH_CHECKS"] = True
    if _database["ENGINE"].endswith("postgresql"):
        # Fail fast rather than hang a worker when PostgreSQL is unreachable.
        _database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
        )
        # A statement run this many times on a connection is prepared there: PostgreSQL
        # then skips parsing and planning it (half of its CPU per API check-in,
        # docs/performance.md). 0 turns it off, for a transaction-pooling PgBouncer
        # older than 1.21 (docs/scaling.md).
        _prepare_after = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
        if _prepare_after > 0:
            _database["OPTIONS"].update(server_side_binding=True, prepare_threshold=_prepare_after)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out pair before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve from the app directories too, so a checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="okr.storage.StaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# --- Redis: Celery broker, result backend and cache -------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The cache may have a Redis of its own, with eviction, so that kept pages and trees
# never compete with the broker's queues for memory (docs/scaling.md).
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)

if CACHE_URL:
    CACHES = {
        "default": {
            # Redis down: the throttles fail open and log (okr/cache.py).
            "BACKEND": "okr.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Every page reads the session: from Redis, written through to the database
    # (Django's cached_db), so a cache outage or restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Nobody reads a task's return value: the tasks write to the database, so no result backend.
CELERY_TASK_IGNORE_RESULT = True
# Without a broker the tasks run in-process, at once: `make run` needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-job leaves the message unacknowledged: the broker hands it to the
# next worker, and every job is idempotent (docs/operations.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis down: publishing gives up within a second, and the caller falls back
# (a roll-up runs in-process, okr/services.py); a dead host never hangs a request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    # How long an unacknowledged job (its worker died) waits before it is handed out again.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # Every worker looks for such orphaned jobs this often. Kombu's default scans on one
    # tick in ten (every 100 s), and a redelivery could then wait far past its timeout.
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "send-checkin-reminders": {
        "task": "okr.tasks.send_checkin_reminders",
        # Every hour on the hour: each organization's own local hour is matched in the task.
        "schedule": crontab(minute=0),
        "options": {"expires": 3000},
    },
    "reconcile-progress": {
        "task": "okr.tasks.reconcile_progress",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 6 * 3600},
    },
}

# Reminders are sent in batches of this many members: bounded memory and queries per batch.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent_emails"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cascade <cascade@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ----------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Asking browsers to hard-code the domain is a deployment's decision, hard to undo: only on request.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Django's checklist asks for preload (W021); here it is the deployment's explicit choice.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No SECURE_REDIRECT_EXEMPT: /healthz answers before SecurityMiddleware (okr.middleware),
# so probes over plain HTTP are never redirected.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# django-csp: scripts only from our own static files (no inline script, no eval), no
# plugins, no <base>, never framed. Inline style attributes stay allowed: they carry
# layout values (tree depths), never behaviour.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True

# --- API -----------------------------------------------------------------------
AUTH_THROTTLE_RATE = env.str("AUTH_THROTTLE_RATE", default="10/minute")
# The log-in limit (django-axes, docs/security.md): 5 failures for one e-mail from one
# client IP lock that pair out of the log-in page, the support admin and the token
# endpoint for 15 minutes, the right password included.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# A new API token works this many days (docs/security.md).
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first: its authenticate_header() makes DRF answer 401, not 403.
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "okr.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "okr.api.schema.CascadeAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["okr.api.parsers.SafeJSONParser"],
    "DEFAULT_THROTTLE_RATES": {"auth": AUTH_THROTTLE_RATE},
    # The client IP for throttling is REMOTE_ADDR: X-Forwarded-For is client-controlled
    # unless a proxy we trust rewrites it. Behind N such proxies, set NUM_PROXIES=N.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "okr.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Cascade API",
    "DESCRIPTION": "Objectives and key results that cascade from the company to each person.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "okr.api.schema.add_tree_components",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "ConfidenceEnum": "okr.models.Confidence",
        "CycleStatusEnum": "okr.models.CycleStatus",
        "PaceStatusEnum": "okr.pace.Status",
        "LevelEnum": "okr.models.Level",
    },
}

# --- Logging: one JSON object per line ---------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
    },
}
