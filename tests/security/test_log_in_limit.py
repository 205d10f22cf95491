"""Finding 2: one log-in limit for the page, the support admin and the token endpoint —
5 failures for one e-mail from one client IP lock that pair out for 15 minutes
(docs/security.md, "Log-in")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User

RIGHT = "correct horse battery"


def page_attempt(client: Client, password: str, email: str = "alice@acme.test"):
    return client.post("/accounts/login/", {"username": email, "password": password})


def api_attempt(client: APIClient, password: str, email: str = "alice@acme.test"):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password})


def admin_attempt(client: Client, password: str, email: str):
    return client.post("/support/login/", {"username": email, "password": password})


def test_the_page_refuses_even_the_right_password_after_five_failures(client, alice):
    failures = [page_attempt(client, "wrong guess") for _ in range(5)]

    locked = page_attempt(client, RIGHT)

    assert [response.status_code for response in failures] == [200] * 5
    assert all("do not match" in response.content.decode() for response in failures)
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_shares_the_page_s_count(client, alice):
    for _ in range(5):
        page_attempt(client, "wrong guess")

    locked = api_attempt(APIClient(), RIGHT)
    locked_page = page_attempt(client, RIGHT)

    assert locked.status_code == 429
    assert locked_page.status_code == 429
    assert "detail" in locked.json()


def test_the_support_admin_shares_it_too(client, db):
    User.objects.create_superuser(email="root@cascade.test", password=RIGHT)
    for _ in range(5):
        api_attempt(APIClient(), "wrong guess", email="root@cascade.test")

    locked = admin_attempt(client, RIGHT, "root@cascade.test")

    assert locked.status_code == 429


def test_another_client_ip_or_another_e_mail_is_not_locked(client, alice, emma):
    for _ in range(5):
        page_attempt(client, "wrong guess")

    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    from_elsewhere = page_attempt(other_ip, RIGHT)
    other_person = page_attempt(client, RIGHT, email="emma@acme.test")

    assert from_elsewhere.status_code == 302
    assert other_person.status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, alice):
    for _ in range(5):
        page_attempt(client, "wrong guess")
    assert page_attempt(client, RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = page_attempt(client, RIGHT)

    assert response.status_code == 302


@pytest.mark.parametrize("rate", ["3/minute"])
def test_the_per_ip_rate_still_applies_to_the_page(client, alice, settings, rate):
    settings.AUTH_THROTTLE_RATE = rate
    answers = [page_attempt(client, RIGHT).status_code for _ in range(4)]

    assert answers[-1] == 429


def test_the_api_answers_400_five_times_then_429(anonymous, alice):
    failures = [api_attempt(anonymous, "wrong guess").status_code for _ in range(5)]

    locked = api_attempt(anonymous, RIGHT)

    assert failures == [400] * 5
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"


def test_the_per_ip_rate_applies_to_the_support_admin_too(client, db, settings):
    settings.AUTH_THROTTLE_RATE = "3/minute"
    answers = [
        admin_attempt(client, "wrong guess", f"person{n}@cascade.test").status_code
        for n in range(4)
    ]

    assert answers == [200, 200, 200, 429]
