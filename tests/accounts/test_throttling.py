"""Sign-up and invitation acceptance are throttled per client IP (AUTH_THROTTLE_RATE)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import Invitation, User


@pytest.fixture(autouse=True)
def three_per_minute(settings):
    settings.AUTH_THROTTLE_RATE = "3/minute"
    cache.clear()
    yield
    cache.clear()


def test_sign_up_attempts_beyond_the_rate_get_a_429_page(client, db):
    for _ in range(3):
        assert client.post("/accounts/signup/", {"email": "bad"}).status_code == 200

    response = client.post(
        "/accounts/signup/",
        {
            "email": "ada@example.com",
            "password": "analytical engine 1843",
            "organization_name": "AE",
        },
    )

    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert response["Retry-After"] == "60"
    assert not User.objects.exists()


def test_the_count_is_per_client_ip(client, db):
    for _ in range(3):
        client.post("/accounts/signup/", {"email": "bad"}, REMOTE_ADDR="10.0.0.1")

    assert (
        client.post("/accounts/signup/", {"email": "bad"}, REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    assert (
        client.post("/accounts/signup/", {"email": "bad"}, REMOTE_ADDR="10.0.0.2").status_code
        == 200
    )


def test_looking_at_the_form_is_not_an_attempt(client, db):
    for _ in range(5):
        assert client.get("/accounts/signup/").status_code == 200


def test_invitation_acceptance_is_throttled(client, alice):
    invitation = Invitation.objects.create(
        organization=alice.organization, email="nina@example.com"
    )
    url = f"/invitations/{invitation.key}/"
    for _ in range(3):
        client.post(url, {"password": "1"})

    response = client.post(url, {"password": "a long new secret 7"})

    assert response.status_code == 429
    assert not User.objects.filter(email="nina@example.com").exists()
