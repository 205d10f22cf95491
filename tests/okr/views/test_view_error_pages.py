"""The error pages look like Cascade, say what happened and offer the way back; the API answers JSON."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import path

from okr.urls import urlpatterns as real_urlpatterns
from tests.okr.views.conftest import url


def broken_view(request):
    raise RuntimeError("boom")


def denied_view(request):
    raise PermissionDenied("Only admins can close a cycle.")


urlpatterns = [
    path("boom/", broken_view),
    path("api/v1/boom/", broken_view),
    path("denied/", denied_view),
    *real_urlpatterns,
]
handler403 = "okr.views.errors.forbidden"
handler404 = "okr.views.errors.not_found"
handler500 = "okr.views.errors.server_error"


def test_it_answers_an_unknown_page_with_the_styled_404(acme, as_user, emma):
    response = as_user(emma).get("/o/acme/nothing-here/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in html and "There is nothing here" in html
    assert f'href="{url("dashboard")}"' in html  # the way back, to the organization


def test_it_answers_another_organizations_page_with_the_404_and_a_way_home(globex, as_user, emma):
    response = as_user(emma).get("/o/globex/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is nothing here" in html and "Back to Cascade" in html


def test_it_answers_an_unknown_api_path_with_json(db, client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@override_settings(ROOT_URLCONF=__name__)
def test_it_shows_the_refusal_in_the_styled_403(db, client):
    response = client.get("/denied/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="topbar"' in html and "You can't do this here" in html
    assert "Only admins can close a cycle." in html


@override_settings(ROOT_URLCONF=__name__)
def test_it_shows_the_styled_500_without_touching_the_request(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="topbar"' in html and "Something went wrong on our side" in html
    assert 'href="/"' in html


@override_settings(ROOT_URLCONF=__name__)
def test_it_answers_a_server_error_in_the_api_with_json(db):
    response = Client(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


@pytest.mark.parametrize("name", ["500.html", "503.html"])
def test_it_renders_the_outage_pages_with_no_context_at_all(name):
    # No database, no request: what a down PostgreSQL leaves to render with.
    html = render_to_string(name)
    assert 'class="error-page"' in html and "Try again" in html
    assert 'href="/"' in html
