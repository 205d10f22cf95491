"""A lost database connection answers 503 — styled page or ``{"detail": …}`` — never a 500.

The mapping lives in one place (okr/views/errors.py). The live outage, with a real
server and PostgreSQL out of reach, is in test_postgres_down.py.
"""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from okr.urls import handler403, handler404, handler500  # noqa: F401  (this module's handlers)
from okr.urls import urlpatterns as project_urlpatterns


def _lost(request):
    raise OperationalError("server closed the connection unexpectedly")


def _closed(request):
    raise InterfaceError("connection already closed")


def _broken(request):
    return HttpResponse(1 / 0)


urlpatterns = [
    path("o/acme/lost/", _lost),
    path("api/v1/lost/", _lost),
    path("o/acme/closed/", _closed),
    path("o/acme/broken/", _broken),
    *project_urlpatterns,  # the layout links to the project's pages
]


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/o/acme/lost/", "/o/acme/closed/"])
def test_a_page_answers_the_styled_503(client, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert 'class="error-page"' in html and "Try again" in html
    assert "Traceback" not in html and "OperationalError" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_the_api_answers_503_with_a_detail(client):
    response = client.get("/api/v1/lost/")
    assert response.status_code == 503
    assert set(response.json()) == {"detail"}


@override_settings(ROOT_URLCONF=__name__)
def test_any_other_error_stays_a_500(client):
    assert client.get("/o/acme/broken/").status_code == 500
