"""Middleware of the project package: /healthz before anything that could redirect it, and
the domain's "not found" answered as a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from okr.health import healthz
from okr.services.common import NotFound


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


class DomainErrorMiddleware:
    """A service's ``NotFound`` (a row of another organization) is a page's 404.

    The services know nothing of HTTP; the API's exception handler does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
