"""The error pages: 403, 404 and 500 in the base layout; JSON for the API.

Django calls these as ``handler403``/``handler404``/``handler500`` (``okr/urls.py``).
The API's own views answer their errors through DRF; these cover what never
reaches a view (an unknown ``/api/…`` path, an exception DRF does not handle).
The 500 page renders without the request's context processors: whatever broke
the request (the database, a context processor) must not break its error page.
An exception that says the database cannot be reached answers 503 instead
(``service_unavailable``), the styled page or ``{"detail": …}`` under ``/api/``.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception or "") if exception is not None else ""
    if _is_api(request):
        return JsonResponse(
            {"detail": message or "You do not have permission to perform this action."},
            status=403,
        )
    template = loader.get_template("403.html")
    return HttpResponse(template.render({"message": message}, request), status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    template = loader.get_template("404.html")
    return HttpResponse(template.render({"request_path": request.path}, request), status=404)


# A lost or refused database connection: the one place it becomes a 503 (pages and API
# alike), whatever raised it — a view, a middleware, the session, the commit.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    # No request: no context processors, no session, no database.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while PostgreSQL is out of reach; the next request reconnects by itself."""
    if _is_api(request):
        response = JsonResponse(
            {"detail": "The service is unavailable for a moment. Try again shortly."},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
