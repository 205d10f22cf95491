"""The log-in limit, shared by the log-in page, the support admin and ``POST /auth/token/``.

django-axes counts the failures (in the database, so every web process shares
them) per pair of e-mail and client IP; these are the hooks it calls. See
docs/security.md for the rule and why django-axes.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.models import normalize_email
from accounts.throttling import AuthRateThrottle

LOCKED_OUT_MESSAGE = (
    "Too many failed log-ins for this e-mail from your network. Try again in 15 minutes, "
    "or reset your password."
)


def username_from(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail of an attempt: ``username`` (the pages) or ``email`` (the API), lower-cased."""
    credentials = credentials or {}
    raw = credentials.get("username") or credentials.get("email")
    if raw is None and request is not None:
        raw = request.POST.get("username") or request.POST.get("email")
    return normalize_email(raw or "")


def client_ip(request: HttpRequest) -> str:
    """The client IP the throttles use too: ``REMOTE_ADDR``, or a trusted proxy's entry."""
    return AuthRateThrottle().get_ident(request)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 with ``Retry-After``: JSON ``{"detail"}`` for the API, the log-in page's message else.

    The failure that reaches the limit still gets its ordinary answer (a wrong
    password); the attempts after it are the ones refused. django-axes counts the
    failures only of an attempt it did not refuse, hence the attribute.
    """
    just_reached = getattr(request, "axes_failures_since_start", None) is not None
    if just_reached and original_response is not None:
        return original_response
    seconds = str(math.ceil(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": LOCKED_OUT_MESSAGE}, status=429)
    else:
        response = render(
            request, "accounts/locked_out.html", {"message": LOCKED_OUT_MESSAGE}, status=429
        )
    response["Retry-After"] = seconds
    return response
