"""Per-client-IP throttling of the sign-up and invitation pages (``AUTH_THROTTLE_RATE``).

The API throttles the same endpoints with DRF's ``ScopedRateThrottle``; the
HTML pages use this small fixed-window counter in Django's cache (Redis in
production, so every web process shares the count).
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/minute"`` → ``(10, 60)``: the number of requests allowed per window of seconds."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def client_ip(request) -> str:
    # The same identity as the API's throttle (DRF's rule): REMOTE_ADDR, or the
    # X-Forwarded-For entry a trusted proxy wrote when NUM_PROXIES says there is one.
    # A client-controlled header is never trusted otherwise.
    return BaseThrottle().get_ident(request) or "unknown"


def is_throttled(request, scope: str) -> bool:
    """Count this request against the client's window; True once the window is used up."""
    allowed, seconds = parse_rate(settings.AUTH_THROTTLE_RATE)
    window = int(time.time() // seconds)
    key = f"throttle:{scope}:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return count > allowed


def throttle_posts(scope: str):
    """Decorate a view so that its POSTs (the attempts) are throttled per client IP.

    Looking at the form is free; submitting it counts.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and is_throttled(request, scope):
                _, seconds = parse_rate(settings.AUTH_THROTTLE_RATE)
                response = render(
                    request, "accounts/throttled.html", {"retry_after": seconds}, status=429
                )
                response["Retry-After"] = str(seconds)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
