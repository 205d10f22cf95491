"""Objectives: create, read, filter, edit and delete, as each role, within one's tenant."""

from __future__ import annotations

import pytest

from okr.models import CycleStatus, Level, Objective, Visibility
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, TeamFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "cycle",
    "title",
    "description",
    "level",
    "team",
    "owner",
    "parent_key_result",
    "visibility",
    "position",
    "progress",
    "expected_progress",
    "status",
    "score",
    "rolled_over_from",
}


def test_it_creates_a_personal_objective_owned_by_the_requester(client_for, emma, acme_cycle):
    response = client_for(emma).post(
        org_url("acme", "objectives/"),
        {"cycle": acme_cycle.pk, "title": "Learn Rust", "level": "personal"},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["owner"] == emma.user.pk
    assert body["visibility"] == "organization"
    assert body["description"] == ""
    assert body["position"] == 0
    assert body["progress"] == 0


def test_it_aligns_a_team_objective_to_a_company_key_result(
    client_for, mark, platform_team, acme_cycle, company_key_result
):
    response = client_for(mark).post(
        org_url("acme", "objectives/"),
        {
            "cycle": acme_cycle.pk,
            "title": "Ship the platform",
            "level": "team",
            "team": platform_team.pk,
            "parent_key_result": company_key_result.pk,
        },
    )

    assert response.status_code == 201, response.json()
    assert response.json()["parent_key_result"] == company_key_result.pk
    assert response.json()["team"] == platform_team.pk


@pytest.mark.parametrize(
    ("who", "level", "expected"),
    [
        ("emma", "company", 403),
        ("emma", "team", 403),
        ("mark", "company", 403),
        ("mark", "team", 201),
        ("alice", "company", 201),
    ],
)
def test_it_lets_each_role_create_only_its_levels(
    request, client_for, acme_cycle, platform_team, who, level, expected
):
    membership = request.getfixturevalue(who)
    body = {"cycle": acme_cycle.pk, "title": "Grow", "level": level}
    if level == "team":
        body["team"] = platform_team.pk

    response = client_for(membership).post(org_url("acme", "objectives/"), body)

    assert response.status_code == expected
    if expected == 403:
        assert "detail" in response.json()


def test_it_refuses_a_member_creating_for_someone_else_before_validating(
    client_for, emma, mark, acme_cycle
):
    response = client_for(emma).post(
        org_url("acme", "objectives/"),
        {"cycle": acme_cycle.pk, "title": "", "level": "personal", "owner": mark.user.pk},
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"level": "galactic"}, "level"),
        ({"level": "team"}, "team"),
        ({"visibility": "secret"}, "visibility"),
        ({"position": -1}, "position"),
        ({"position": "first"}, "position"),
        ({"cycle": None}, "cycle"),
        ({"cycle": "one"}, "cycle"),
        ({"cycle": 1.5}, "cycle"),
        ({"cycle": True}, "cycle"),
        ({"owner": 999999}, "owner"),
        ({"parent_key_result": 999999}, "parent_key_result"),
    ],
)
def test_it_refuses_invalid_objectives(client_for, alice, acme_cycle, body, field):
    payload = {"cycle": acme_cycle.pk, "title": "Grow", "level": "company", **body}

    response = client_for(alice).post(org_url("acme", "objectives/"), payload)

    assert response.status_code == 400
    assert field in response.json()


def test_it_refuses_a_team_on_a_non_team_objective(client_for, alice, acme_cycle, platform_team):
    response = client_for(alice).post(
        org_url("acme", "objectives/"),
        {"cycle": acme_cycle.pk, "title": "Grow", "level": "company", "team": platform_team.pk},
    )

    assert response.status_code == 400
    assert "team" in response.json()


def test_it_refuses_an_inactive_owner(client_for, alice, dora, acme_cycle):
    response = client_for(alice).post(
        org_url("acme", "objectives/"),
        {"cycle": acme_cycle.pk, "title": "Grow", "level": "personal", "owner": dora.user.pk},
    )

    assert response.status_code == 400
    assert "owner" in response.json()


def test_it_refuses_another_tenants_rows_in_the_body_like_unknown_ids(
    client_for, alice, oscar, acme_cycle, globex_cycle, globex_key_result
):
    client = client_for(alice)
    base = {"cycle": acme_cycle.pk, "title": "Grow", "level": "company"}

    for field, foreign_id in [
        ("cycle", globex_cycle.pk),
        ("parent_key_result", globex_key_result.pk),
        ("owner", oscar.user.pk),
    ]:
        response = client.post(org_url("acme", "objectives/"), {**base, field: foreign_id})
        assert response.status_code == 400
        assert response.json() == {field: [f'Invalid pk "{foreign_id}" - object does not exist.']}
    assert not Objective.objects.filter(organization__slug="acme").exists()


def test_it_refuses_a_private_key_result_one_cannot_see_like_an_unknown_id(
    client_for, emma, paula, acme_cycle
):
    secret = ObjectiveFactory(
        cycle=acme_cycle, owner=paula.user, level=Level.PERSONAL, visibility=Visibility.PRIVATE
    )
    hidden = KeyResultFactory(objective=secret)

    response = client_for(emma).post(
        org_url("acme", "objectives/"),
        {
            "cycle": acme_cycle.pk,
            "title": "Mine",
            "level": "personal",
            "parent_key_result": hidden.pk,
        },
    )

    assert response.status_code == 400
    assert response.json() == {
        "parent_key_result": [f'Invalid pk "{hidden.pk}" - object does not exist.']
    }


def test_it_refuses_to_support_a_key_result_of_itself_or_below(
    client_for, alice, company_objective, company_key_result, acme_cycle
):
    child = ObjectiveFactory(
        cycle=acme_cycle, owner=alice.user, parent_key_result=company_key_result
    )
    below = KeyResultFactory(objective=child)
    client = client_for(alice)

    own = client.patch(
        org_url("acme", f"objectives/{company_objective.pk}/"),
        {"parent_key_result": company_key_result.pk},
    )
    loop = client.patch(
        org_url("acme", f"objectives/{company_objective.pk}/"), {"parent_key_result": below.pk}
    )

    assert own.status_code == 400
    assert loop.status_code == 400
    assert "parent_key_result" in loop.json()


def test_it_refuses_writes_in_a_closed_cycle(client_for, alice, acme):
    closed = CycleFactory(organization=acme, status=CycleStatus.CLOSED)
    objective = ObjectiveFactory(cycle=closed, owner=alice.user)
    client = client_for(alice)

    created = client.post(
        org_url("acme", "objectives/"), {"cycle": closed.pk, "title": "Late", "level": "company"}
    )
    edited = client.patch(org_url("acme", f"objectives/{objective.pk}/"), {"title": "Edited"})
    deleted = client.delete(org_url("acme", f"objectives/{objective.pk}/"))

    assert (created.status_code, edited.status_code, deleted.status_code) == (400, 400, 400)
    assert Objective.objects.get(pk=objective.pk).title != "Edited"


def test_it_lets_a_member_edit_their_own_personal_objective_only(
    client_for, emma, mark, acme_cycle, company_objective
):
    own = ObjectiveFactory(cycle=acme_cycle, owner=emma.user, level=Level.PERSONAL)
    marks = ObjectiveFactory(cycle=acme_cycle, owner=mark.user, level=Level.PERSONAL)
    client = client_for(emma)

    assert (
        client.patch(org_url("acme", f"objectives/{own.pk}/"), {"title": "Mine"}).status_code == 200
    )
    assert (
        client.patch(org_url("acme", f"objectives/{marks.pk}/"), {"title": ""}).status_code == 403
    )
    assert (
        client.patch(org_url("acme", f"objectives/{company_objective.pk}/"), {}).status_code == 403
    )
    assert client.delete(org_url("acme", f"objectives/{marks.pk}/")).status_code == 403
    assert (
        client.patch(org_url("acme", f"objectives/{own.pk}/"), {"owner": mark.user.pk}).status_code
        == 403
    )


def test_it_replaces_an_objective_with_put(client_for, mark, acme_cycle, platform_team):
    objective = ObjectiveFactory(cycle=acme_cycle, owner=mark.user, level=Level.PERSONAL)

    response = client_for(mark).put(
        org_url("acme", f"objectives/{objective.pk}/"),
        {
            "cycle": acme_cycle.pk,
            "title": "Now a team goal",
            "level": "team",
            "team": platform_team.pk,
            "description": "Bigger",
            "position": 3,
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json()["level"] == "team"
    assert response.json()["position"] == 3


def test_it_deletes_an_objective_and_unaligns_its_supporters(
    client_for, alice, company_objective, company_key_result, acme_cycle
):
    supporter = ObjectiveFactory(
        cycle=acme_cycle, owner=alice.user, parent_key_result=company_key_result
    )

    response = client_for(alice).delete(org_url("acme", f"objectives/{company_objective.pk}/"))

    assert response.status_code == 204
    supporter.refresh_from_db()
    assert supporter.parent_key_result is None


def test_it_hides_private_objectives_from_those_who_may_not_see_them(
    client_for, alice, emma, paula, acme_cycle
):
    secret = ObjectiveFactory(
        cycle=acme_cycle, owner=paula.user, level=Level.PERSONAL, visibility=Visibility.PRIVATE
    )
    url = org_url("acme", f"objectives/{secret.pk}/")

    assert client_for(emma).get(url).status_code == 404
    assert client_for(emma).delete(url).status_code == 404
    assert client_for(emma).get(org_url("acme", "objectives/")).json()["count"] == 0
    assert client_for(paula).get(url).status_code == 200
    assert client_for(alice).get(url).status_code == 200


def test_it_shows_a_private_objective_to_the_owner_of_one_of_its_key_results(
    client_for, emma, paula, acme_cycle
):
    secret = ObjectiveFactory(
        cycle=acme_cycle, owner=paula.user, level=Level.PERSONAL, visibility=Visibility.PRIVATE
    )
    KeyResultFactory(objective=secret, owner=emma.user)

    assert client_for(emma).get(org_url("acme", f"objectives/{secret.pk}/")).status_code == 200


def test_it_hides_another_tenants_objectives_under_ones_own_slug(
    client_for, alice, oscar, globex_objective
):
    client = client_for(alice)
    url = org_url("acme", f"objectives/{globex_objective.pk}/")

    assert client.get(url).status_code == 404
    assert client.patch(url, {"title": "Mine now"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client_for(alice).get(org_url("globex", "objectives/")).status_code == 404


def test_it_filters_objectives(client_for, alice, emma, acme, acme_cycle, company_key_result):
    other_cycle = CycleFactory(organization=acme)
    team = TeamFactory(organization=acme)
    a = ObjectiveFactory(cycle=acme_cycle, owner=emma.user, level=Level.PERSONAL)
    b = ObjectiveFactory(cycle=other_cycle, owner=alice.user, level=Level.TEAM, team=team)
    c = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, parent_key_result=company_key_result)
    client = client_for(emma)

    def ids(query: str) -> list[int]:
        response = client.get(org_url("acme", f"objectives/?{query}"))
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert b.pk not in ids(f"cycle={acme_cycle.pk}")
    assert ids(f"team={team.pk}") == [b.pk]
    assert ids(f"owner={emma.user.pk}") == [a.pk]
    assert ids("level=team") == [b.pk]
    assert ids(f"parent_key_result={company_key_result.pk}") == [c.pk]
    assert ids("cycle=0") == []
    assert ids(f"cycle={2**70}") == []


@pytest.mark.parametrize("query", ["cycle=abc", "team=1.5", "level=galactic", "owner=%00"])
def test_it_answers_400_for_malformed_filters(client_for, emma, query):
    response = client_for(emma).get(org_url("acme", f"objectives/?{query}"))

    assert response.status_code == 400


def test_it_orders_objectives_by_position_then_id(client_for, alice, acme_cycle):
    third = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, position=2)
    first = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, position=0)
    second = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, position=0)

    rows = client_for(alice).get(org_url("acme", "objectives/")).json()["results"]

    assert [row["id"] for row in rows] == [first.pk, second.pk, third.pk]


def test_it_answers_progress_rounded_to_two_decimals(client_for, alice, company_objective):
    Objective.objects.filter(pk=company_objective.pk).update(progress=33.333333)

    response = client_for(alice).get(org_url("acme", f"objectives/{company_objective.pk}/"))

    assert response.json()["progress"] == 33.33
