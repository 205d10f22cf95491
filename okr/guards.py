"""Project-wide HTTP guards (docs/security.md): hostile input and the security headers
that django-csp and Django's SecurityMiddleware do not set.

- A NUL character in the path, the query string or a form field is a 400 before
  any view runs: PostgreSQL cannot store it, and no Cascade value contains one.
  (JSON bodies are checked by ``okr.api.parsers.SafeJSONParser``.)
- Every response carries ``Permissions-Policy``; every response to an
  authenticated request (a session, or an ``Authorization`` header) carries
  ``Cache-Control: no-store``: pages and tokens shown to a signed-in person must
  not linger in a shared or back-button cache.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
NUL_MESSAGE = "The request contains a NUL character."


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, a query parameter or a form field holds a NUL character."""
    if "\x00" in request.path_info:
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, no_store=True)
        return response
