"""Helpers for the accounts pages: a browser session for each of the people in the story."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def client_of():
    """``client_of(alice)``: a test client signed in as a membership's (or a user's) person."""

    def make(membership_or_user) -> Client:
        user = getattr(membership_or_user, "user", membership_or_user)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def htmx_headers():
    """The headers htmx sends, so a view answers with its fragment."""
    return {"HX-Request": "true"}
