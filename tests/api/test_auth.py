"""Sign-up, tokens and their lifecycle, and the 401s."""

from __future__ import annotations

import pytest

from accounts.models import ApiToken, Membership, Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_signs_up_a_user_with_an_organization_and_a_token(anonymous):
    response = anonymous.post(
        "/api/v1/auth/signup/",
        {
            "email": "Ada@Example.com",
            "password": "a long passphrase",
            "organization_name": "Analytical Engines",
            "name": "Ada",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == {
        "slug": "analytical-engines",
        "name": "Analytical Engines",
        "role": "admin",
    }
    user = User.objects.get(email="ada@example.com")
    assert user.name == "Ada"
    assert Membership.objects.get(user=user).role == Role.ADMIN
    me = anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.json()["email"] == "ada@example.com"


def test_it_refuses_a_sign_up_with_a_taken_email_or_weak_password(anonymous, alice):
    response = anonymous.post(
        "/api/v1/auth/signup/",
        {"email": "alice@acme.test", "password": "123", "organization_name": "Again"},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_it_requires_the_sign_up_fields(anonymous):
    response = anonymous.post("/api/v1/auth/signup/", {})

    assert response.status_code == 400
    assert set(response.json()) == {"email", "password", "organization_name"}


def test_it_gives_a_token_for_good_credentials(anonymous, alice):
    response = anonymous.post(
        "/api/v1/auth/token/", {"email": "ALICE@acme.test", "password": PASSWORD}
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "alice@acme.test", "password": "wrong"},
        {"email": "nobody@acme.test", "password": PASSWORD},
    ],
)
def test_it_refuses_bad_credentials_with_non_field_errors(anonymous, alice, credentials):
    response = anonymous.post("/api/v1/auth/token/", credentials)

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_it_refuses_a_token_to_a_deactivated_user(anonymous, alice):
    alice.user.is_active = False
    alice.user.save()

    response = anonymous.post(
        "/api/v1/auth/token/", {"email": "alice@acme.test", "password": PASSWORD}
    )

    assert response.status_code == 400


def test_it_lists_only_ones_own_tokens_and_marks_them_used(client_for, alice, emma):
    client = client_for(alice)
    client_for(emma)

    response = client.get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1
    assert set(results[0]) == {"id", "created_at", "last_used_at", "expires_at"}
    assert results[0]["last_used_at"] is not None
    assert ApiToken.objects.get(pk=results[0]["id"]).user == alice.user


def test_it_revokes_a_token_which_then_answers_401(client_for, alice):
    client = client_for(alice)
    token_id = ApiToken.objects.get(user=alice.user).pk

    assert client.delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 204

    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_does_not_let_anyone_revoke_someone_elses_token(client_for, alice, emma):
    client_for(emma)
    emmas_token = ApiToken.objects.get(user=emma.user)

    response = client_for(alice).delete(f"/api/v1/auth/tokens/{emmas_token.pk}/")

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=emmas_token.pk).exists()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer nope", "Bearer", "Bearer a b", "Token abc"],
)
def test_it_answers_401_with_a_bearer_challenge(anonymous, alice, header):
    if header:
        anonymous.credentials(HTTP_AUTHORIZATION=header)

    response = anonymous.get("/api/v1/orgs/acme/objectives/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_accepts_the_browser_session_too(anonymous, alice):
    anonymous.force_login(alice.user)

    assert anonymous.get("/api/v1/orgs/acme/").status_code == 200


def test_it_shows_and_edits_the_signed_in_user(client_for, emma):
    client = client_for(emma)

    response = client.patch(
        "/api/v1/me/", {"name": "Emma M.", "checkin_reminders": False, "email": "x@y.z"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": emma.user.pk,
        "email": "emma@acme.test",
        "name": "Emma M.",
        "checkin_reminders": False,
        "email_verified": True,
    }
    emma.user.refresh_from_db()
    assert emma.user.checkin_reminders is False


def test_it_refuses_a_non_boolean_reminder_setting(client_for, emma):
    response = client_for(emma).patch("/api/v1/me/", {"checkin_reminders": "sometimes"})

    assert response.status_code == 400
    assert "checkin_reminders" in response.json()


def test_it_lists_the_users_active_organizations(client_for, alice, globex, dora):
    from tests.factories import MembershipFactory

    MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER)

    response = client_for(alice).get("/api/v1/orgs/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"slug": "acme", "name": "Acme", "role": "admin"},
        {"slug": "globex", "name": "Globex", "role": "member"},
    ]
    assert client_for(dora).get("/api/v1/orgs/").json()["count"] == 0
