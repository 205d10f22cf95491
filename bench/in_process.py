"""The environment the in-process benchmarks share (bench/run.py, bench/rls.py).

Production settings served over plain HTTP to Django's test client, logs quiet,
auth throttles out of the way, and every task in-process: the benchmarks measure
the work, not a queue. Call ``setup_django()`` before importing any model.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Set the benchmark environment and start Django. Without DATABASE_URL, a scratch SQLite file."""
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okr.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'cascade-bench.sqlite3'}"
    )
    os.environ.update(
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="ERROR",
        AUTH_THROTTLE_RATE="100000/minute",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("MIGRATE_DATABASE_URL", None)  # one role: the benchmarks migrate what they seed

    import okr.wsgi  # noqa: F401  (the process as gunicorn starts it: Django set up, and more)
