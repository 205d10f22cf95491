"""Sign-up, token and invitation acceptance are throttled per client IP (AUTH_THROTTLE_RATE)."""

from __future__ import annotations

import pytest

from accounts.models import Invitation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_rate(settings):
    settings.AUTH_THROTTLE_RATE = "2/minute"


def test_it_throttles_token_requests_after_the_rate(anonymous, alice, tiny_rate):
    answers = [
        anonymous.post("/api/v1/auth/token/", {"email": "alice@acme.test", "password": "wrong"})
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 429]
    assert "Retry-After" in answers[-1]
    blocked = anonymous.post(
        "/api/v1/auth/token/", {"email": "alice@acme.test", "password": PASSWORD}
    )
    assert blocked.status_code == 429


def test_it_throttles_sign_ups(anonymous, tiny_rate):
    codes = [anonymous.post("/api/v1/auth/signup/", {}).status_code for _ in range(3)]

    assert codes == [400, 400, 429]


def test_it_throttles_invitation_acceptance(anonymous, tiny_rate):
    codes = [
        anonymous.post("/api/v1/invitations/unknown/accept/", {}).status_code for _ in range(3)
    ]

    assert codes == [404, 404, 429]


def test_it_counts_per_client_ip(anonymous, alice, tiny_rate):
    body = {"email": "alice@acme.test", "password": "wrong"}
    for _ in range(2):
        anonymous.post("/api/v1/auth/token/", body, REMOTE_ADDR="10.0.0.1")

    other = anonymous.post("/api/v1/auth/token/", body, REMOTE_ADDR="10.0.0.2")
    spoofed = anonymous.post(
        "/api/v1/auth/token/", body, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )

    assert other.status_code == 400
    assert spoofed.status_code == 429


def test_it_reads_the_rate_at_request_time(anonymous, settings):
    settings.AUTH_THROTTLE_RATE = "1/minute"
    assert anonymous.post("/api/v1/auth/signup/", {}).status_code == 400
    assert anonymous.post("/api/v1/auth/signup/", {}).status_code == 429

    settings.AUTH_THROTTLE_RATE = "100/minute"

    assert anonymous.post("/api/v1/auth/signup/", {}).status_code == 400


def test_it_does_not_throttle_the_rest_of_the_api(client_for, alice, tiny_rate):
    client = client_for(alice)

    codes = {client.get("/api/v1/me/").status_code for _ in range(5)}

    assert codes == {200}
    assert not Invitation.objects.exists()
