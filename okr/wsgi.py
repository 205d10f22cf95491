"""WSGI entry point for gunicorn: ``gunicorn okr.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okr.settings")

application = get_wsgi_application()

# What the process loads before its first request (the apps, and through the URLconf
# every view) lives as long as the process, yet each full collection walked all of it:
# ~120,000 objects, 20-60 ms, every third API tree (docs/performance.md). Loaded now,
# its garbage collected, then frozen: the collector skips it from here on.
get_resolver().url_patterns  # noqa: B018 (imports every view)
gc.collect()
gc.freeze()
