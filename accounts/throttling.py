"""Per-client-IP rate limits on the endpoints that take a password (``AUTH_THROTTLE_RATE``).

One mechanism for the API and the pages: DRF's ``SimpleRateThrottle`` counts in
Django's cache (Redis in production, so every web process shares the count).
The API views name it in ``throttle_classes``; the sign-up and invitation pages
wrap their views with ``throttle_posts``.
"""

from __future__ import annotations

import hashlib
import logging
import math
from functools import wraps
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


def rate_limit_allows(name: str, limit: int, window_seconds: int) -> bool:
    """Count one use of ``name`` in a fixed window; False once ``limit`` uses are spent.

    Counted in Django's cache (Redis in production). When the cache is down the
    limit fails open, with a logged error: the pages keep working.
    """
    key = "limit:" + hashlib.sha256(name.encode()).hexdigest()
    try:
        cache.add(key, 0, timeout=window_seconds)
        return cache.incr(key) <= limit
    except Exception:
        logger.exception("rate limit unavailable, allowing", extra={"limit": name})
        return True


class AuthRateThrottle(SimpleRateThrottle):
    """``AUTH_THROTTLE_RATE`` requests per client IP, counted per endpoint.

    The rate is read from the settings at each request, not at import, so that a
    deployment (and a test) can change it without a restart. Each view names its
    bucket with ``throttle_scope``: signing up does not spend the log-in budget.
    The client IP is DRF's: ``REMOTE_ADDR``, or the ``X-Forwarded-For`` entry a
    trusted proxy wrote when ``NUM_PROXIES`` says there is one.
    """

    scope = "auth"

    def get_rate(self) -> str | None:
        return settings.AUTH_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str:
        bucket = getattr(view, "throttle_scope", None) or type(view).__name__
        return self.cache_format % {"scope": f"auth:{bucket}", "ident": self.get_ident(request)}


def throttle_posts(scope: str):
    """Decorate a page so that its POSTs (the attempts) are throttled per client IP.

    Looking at the form is free; submitting it counts. The pages keep buckets of
    their own (``page:<scope>``), apart from the API's.
    """
    bucket = SimpleNamespace(throttle_scope=f"page:{scope}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                throttle = AuthRateThrottle()
                if not throttle.allow_request(request, bucket):
                    seconds = math.ceil(throttle.wait() or throttle.duration)
                    response = render(
                        request, "accounts/throttled.html", {"retry_after": seconds}, status=429
                    )
                    response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
