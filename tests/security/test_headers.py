"""Finding 6: every page carries a Content-Security-Policy without inline script and a
Permissions-Policy; what an authenticated request gets is never stored by a cache
(docs/security.md, "Headers")."""

from __future__ import annotations

import pytest


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password-reset/", "/api/docs/"]
)
def test_every_page_has_a_strict_policy(client, db, url):
    response = client.get(url)

    policy = directives(response)
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_not_stored(client_of, alice, acme_cycle):
    client = client_of(alice)

    for url in ["/o/acme/", "/accounts/profile/", "/o/acme/tree/", "/o/acme/admin/members/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "Content-Security-Policy" in response


def test_api_answers_to_a_token_are_not_stored(client_for, alice):
    response = client_for(alice).get("/api/v1/me/")

    assert "no-store" in response["Cache-Control"]


def test_the_profile_page_with_a_fresh_token_is_not_stored(client_of, alice):
    client = client_of(alice)

    response = client.post("/accounts/profile/tokens/", follow=True)

    assert "new-token" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
