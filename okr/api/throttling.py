"""Rate limits on the endpoints that take a password: sign-up, token and invitation acceptance."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AuthRateThrottle(SimpleRateThrottle):
    """``AUTH_THROTTLE_RATE`` requests per client IP, counted per endpoint.

    The rate is read from the settings at each request, not at import, so that a
    deployment (and a test) can change it without a restart. Each view names its
    bucket with ``throttle_scope``: signing up does not spend the log-in budget.
    """

    scope = "auth"

    def get_rate(self) -> str | None:
        return settings.AUTH_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str:
        bucket = getattr(view, "throttle_scope", None) or type(view).__name__
        return self.cache_format % {"scope": f"auth:{bucket}", "ident": self.get_ident(request)}
