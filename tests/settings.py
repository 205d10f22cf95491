"""Test settings: the real settings, made fast and deterministic.

``DATABASE_URL`` and ``REDIS_URL`` are honoured (CI points them at PostgreSQL
and Redis). Tasks still run eagerly by default so that a test sees the roll-up
it caused; the service tests start a real worker on the Redis broker and turn
eager mode off for their duration (``tests/okr/test_rollup_worker.py``).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

from okr.settings import *  # noqa: F403
from okr.settings import DATABASES, REDIS_URL

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
SITE_URL = "http://testserver"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Eager unless a test starts a worker; see the module docstring. A worker *process*
# started by a test (tests/workers.py) sets CASCADE_TEST_WORKER and writes its
# e-mails to files the test can read.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CASCADE_TEST_WORKER")
if os.environ.get("CASCADE_TEST_WORKER"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
CELERY_TASK_EAGER_PROPAGATES = True
# A worker process of the fault tests whose roll-ups linger before they commit, so that
# one can be killed in the middle of a job (tests/faults/slow_roll_ups.py).
if os.environ.get("CASCADE_TEST_WORKER") and os.environ.get("CASCADE_TEST_SLOW_ROLL_UPS"):
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.faults.slow_roll_ups.SlowRollUpsConfig"]  # noqa: F405
# The app ignores task results (nothing reads them); the worker tests wait on them to
# know the queue has drained (tests/workers.py points the backend at Redis).
CELERY_TASK_IGNORE_RESULT = False
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"

# Each test gets a clean throttle state: the cache is per process, not shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AUTH_THROTTLE_RATE = "1000/minute"

# With MIGRATE_DATABASE_URL (CI), the test database is created and migrated as that
# owner and the tests run as DATABASE_URL's role, under row-level security
# (tests/conftest.py, django_db_setup).

# Live-server threads must not keep connections open past a test: teardown drops the database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

USES_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
USES_REDIS = bool(REDIS_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "WARNING"},
}
