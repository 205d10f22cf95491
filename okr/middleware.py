"""Middleware of the project package: /healthz before anything that could redirect it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from okr.health import healthz


class HealthCheckMiddleware:
    """Answer ``/healthz`` before SecurityMiddleware and ALLOWED_HOSTS get a say.

    Load balancers probe over plain HTTP with their own Host header; the probe
    must see the database and broker status, not a redirect or a 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
