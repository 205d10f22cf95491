"""Finding 5: hostile input gets a 400 (or a clean page), never a 5xx
(docs/security.md, "Hostile input")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TeamFactory

DEEP = "[" * 1000 + "]" * 1000
ORG = "/api/v1/orgs/acme"


@pytest.mark.parametrize(
    "url",
    [
        "/o/acme/search/?q=a%00b",
        "/o/acme/key-results/options/?parent_key_result=%00",
        "/o/acme/tree/?team=%00",
    ],
)
def test_a_nul_in_a_query_is_a_400(client_of, alice, url):
    assert client_of(alice).get(url).status_code == 400


def test_a_nul_in_an_invitation_key_is_a_400_for_anyone(client, anonymous, db):
    page = client.get("/invitations/abc%00def/")
    api = anonymous.post("/api/v1/invitations/abc%00def/accept/", {"password": "x"})

    assert page.status_code == 400
    assert api.status_code == 400


def test_a_nul_in_a_form_field_is_a_400(client_of, alice, acme_cycle):
    response = client_of(alice).post(
        "/o/acme/objectives/new/",
        {"title": "Win\x00", "cycle": acme_cycle.pk, "level": "company"},
    )

    assert response.status_code == 400


def test_a_nul_in_a_json_string_is_a_400(client_for, alice, acme_cycle):
    response = client_for(alice).post(
        f"{ORG}/objectives/",
        f'{{"title": "Win\\u0000", "cycle": {acme_cycle.pk}, "level": "company"}}',
        content_type="application/json",
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/auth/signup/"),
        ("post", "/api/v1/auth/token/"),
        ("patch", "/api/v1/me/"),
        ("patch", f"{ORG}/"),
        ("post", f"{ORG}/objectives/"),
        ("post", f"{ORG}/key-results/"),
        ("post", f"{ORG}/teams/"),
        ("post", f"{ORG}/invitations/"),
    ],
)
def test_json_nested_1000_deep_is_a_400(client_for, alice, method, path):
    response = getattr(client_for(alice), method)(path, DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nested_64_deep_is_still_parsed(client_for, alice):
    body = '{"name": ' + "[" * 63 + "]" * 63 + "}"

    response = client_for(alice).patch("/api/v1/me/", body, content_type="application/json")

    assert response.status_code == 400  # a list is not a name: the parser let it through
    assert "name" in response.json()


def test_an_unknown_schema_version_is_a_404_never_echoed(client, db):
    response = client.get("/api/schema/?version=%0d%0aX-Injected:%201")

    assert response.status_code == 404
    assert "X-Injected" not in response
    assert "Injected" not in response.get("Content-Disposition", "")


def test_a_description_is_at_most_ten_thousand_characters(client_for, alice, acme_cycle):
    client = client_for(alice)
    body = {"title": "Win", "cycle": acme_cycle.pk, "level": "company"}

    too_long = client.post(f"{ORG}/objectives/", {**body, "description": "x" * 10_001})
    just_right = client.post(f"{ORG}/objectives/", {**body, "description": "x" * 10_000})

    assert too_long.status_code == 400
    assert "description" in too_long.json()
    assert just_right.status_code == 201


def test_a_list_of_ids_is_at_most_200_and_costs_no_query_per_id(client_for, alice, acme, emma):
    client = client_for(alice)
    team = TeamFactory(organization=acme)

    too_many = client.patch(f"{ORG}/members/{emma.pk}/", {"teams": [team.pk] * 201})
    with CaptureQueriesContext(connection) as queries:
        many = client.patch(f"{ORG}/members/{emma.pk}/", {"teams": [team.pk] * 200})

    assert too_many.status_code == 400
    assert "200" in str(too_many.json()["teams"])
    assert many.status_code == 200
    assert many.json()["teams"] == [team.pk]
    assert len(queries.captured_queries) < 25


def test_an_unknown_id_in_a_list_is_a_400(client_for, alice, emma, globex):
    foreign = TeamFactory(organization=globex)

    response = client_for(alice).patch(f"{ORG}/members/{emma.pk}/", {"teams": [foreign.pk]})

    assert response.status_code == 400


@pytest.mark.parametrize("target", ["abc", "-1", "1e999", "Infinity"])
def test_a_next_that_is_not_a_path_falls_back_after_a_check_in(
    client_of, alice, company_key_result, target
):
    response = client_of(alice).post(
        f"/o/acme/key-results/{company_key_result.pk}/check-in/",
        {"value": "10", "confidence": "on_track", "note": "", "next": target},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/o/acme/")


def test_an_edit_that_sends_an_empty_cycle_is_refused_on_the_form(
    client_of, alice, company_objective
):
    response = client_of(alice).post(
        f"/o/acme/objectives/{company_objective.pk}/edit/", {"cycle": "", "title": "Win"}
    )

    assert response.status_code == 200
    assert "cycle" in response.context["form"].errors
    company_objective.refresh_from_db()
    assert company_objective.cycle_id is not None


def test_a_member_change_that_sends_an_empty_active_flag_changes_nothing(client_of, alice, emma):
    response = client_of(alice).post(f"/o/acme/admin/members/{emma.pk}/", {"is_active": ""})

    assert response.status_code < 500
    emma.refresh_from_db()
    assert emma.is_active is True
