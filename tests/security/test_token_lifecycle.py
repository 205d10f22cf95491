"""Finding 1, continued: a password change or reset ends every API token and every other
session; tokens expire after ``API_TOKEN_TTL_DAYS`` (docs/security.md, "Tokens")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User

NEW_PASSWORD = "a brand new secret 42"


def token_client(user) -> tuple[APIClient, ApiToken]:
    token, raw = ApiToken.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, token


def test_a_password_change_ends_every_token_and_every_other_session(client_of, alice):
    api, _ = token_client(alice.user)
    here, elsewhere = client_of(alice), client_of(alice)

    response = here.post(
        "/accounts/profile/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert elsewhere.get("/accounts/profile/").status_code == 302  # signed out
    assert here.get("/accounts/profile/").status_code == 200  # this device stays in


def test_a_password_reset_ends_every_token_and_every_session(
    client, client_of, alice, mailoutbox, run_on_commit
):
    api, _ = token_client(alice.user)
    elsewhere = client_of(alice)
    with run_on_commit():
        client.post("/accounts/password-reset/", {"email": "alice@acme.test"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body)[1]
    form = client.get(link, follow=True)

    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert api.get("/api/v1/me/").status_code == 401
    assert elsewhere.get("/accounts/profile/").status_code == 302


def test_a_token_answers_its_expiry_and_is_refused_after_it(alice, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    api, token = token_client(alice.user)

    listed = api.get("/api/v1/auth/tokens/").json()["results"]
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = api.get("/api/v1/me/")

    assert abs(token.expires_at - token.created_at - timedelta(days=7)) < timedelta(seconds=1)
    assert listed[0]["expires_at"] is not None
    assert expired.status_code == 401
    assert expired["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_a_401(alice):
    api, token = token_client(alice.user)

    revoked = api.delete(f"/api/v1/auth/tokens/{token.pk}/")

    assert revoked.status_code == 204
    assert api.get("/api/v1/me/").status_code == 401


def test_the_token_from_the_log_in_endpoint_expires_too(anonymous, alice, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    response = anonymous.post(
        "/api/v1/auth/token/", {"email": "alice@acme.test", "password": "correct horse battery"}
    )
    token = ApiToken.objects.get(user=alice.user)

    assert response.status_code == 200
    assert timedelta(hours=23) < token.expires_at - timezone.now() <= timedelta(days=1)
    assert Client().get("/").status_code == 302


def test_support_setting_a_password_ends_the_user_s_tokens(client, alice, db):
    root = User.objects.create_superuser(email="root@cascade.test", password="root secret 2027")
    client.force_login(root)
    api, _ = token_client(alice.user)

    response = client.post(
        f"/support/accounts/user/{alice.user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401


def test_the_listed_expiry_is_exactly_the_creation_plus_the_lifetime(anonymous, alice):
    issued = anonymous.post(
        "/api/v1/auth/token/", {"email": "alice@acme.test", "password": "correct horse battery"}
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.json()['token']}")

    (listed,) = api.get("/api/v1/auth/tokens/").json()["results"]

    created = datetime.fromisoformat(listed["created_at"])
    expires = datetime.fromisoformat(listed["expires_at"])
    assert expires - created == timedelta(days=90)
