"""The cascade of a cycle as nested JSON, private branches reduced to their progress."""

from __future__ import annotations

import jsonschema
import pytest

from okr.models import KeyResult, Level, Objective, Visibility
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(acme, alice, emma, paula, acme_cycle):
    """Company → team → personal, with a private branch of Paula's and a next-cycle child."""
    company = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Company", position=1)
    revenue = KeyResultFactory(objective=company, title="Revenue")
    team = ObjectiveFactory(
        cycle=acme_cycle, owner=alice.user, title="Team", parent_key_result=revenue
    )
    team_kr = KeyResultFactory(objective=team, title="Deals")
    personal = ObjectiveFactory(
        cycle=acme_cycle,
        owner=emma.user,
        level=Level.PERSONAL,
        title="Emma's",
        parent_key_result=team_kr,
    )
    secret = ObjectiveFactory(
        cycle=acme_cycle,
        owner=paula.user,
        level=Level.PERSONAL,
        visibility=Visibility.PRIVATE,
        title="Paula's secret",
        parent_key_result=team_kr,
    )
    Objective.objects.filter(pk=secret.pk).update(progress=41.236)
    KeyResultFactory(objective=secret, title="Secret KR")
    next_cycle = CycleFactory(organization=acme, name="Next")
    later = ObjectiveFactory(
        cycle=next_cycle, owner=alice.user, title="Next cycle's", parent_key_result=revenue
    )
    unaligned = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Alone", position=0)
    return {
        "company": company,
        "revenue": revenue,
        "team": team,
        "team_kr": team_kr,
        "personal": personal,
        "secret": secret,
        "later": later,
        "next_cycle": next_cycle,
        "unaligned": unaligned,
    }


def tree(client, cycle) -> dict:
    response = client.get(org_url("acme", f"tree/?cycle={cycle.pk}"))
    assert response.status_code == 200, response.json()
    return response.json()


def test_it_nests_objectives_key_results_and_children(client_for, emma, acme_cycle, cascade):
    body = tree(client_for(emma), acme_cycle)

    assert body["cycle"] == acme_cycle.pk
    assert [node["title"] for node in body["objectives"]] == ["Alone", "Company"]
    company = body["objectives"][1]
    assert company["id"] == cascade["company"].pk
    assert company["owner"] == cascade["company"].owner_id
    revenue = company["key_results"][0]
    assert revenue["title"] == "Revenue"
    assert revenue["target_value"] == 100
    assert [child["title"] for child in revenue["children"]] == ["Team", "Next cycle's"]
    deals = revenue["children"][0]["key_results"][0]
    assert deals["children"][0]["title"] == "Emma's"
    assert deals["children"][0]["key_results"] == []


def test_it_shows_a_private_objective_only_as_its_progress(client_for, emma, acme_cycle, cascade):
    body = tree(client_for(emma), acme_cycle)

    deals = body["objectives"][1]["key_results"][0]["children"][0]["key_results"][0]
    assert deals["children"][1] == {"private": True, "progress": 41.24}
    assert "Secret" not in str(body)


def test_it_shows_the_private_objective_to_its_owner_and_admins(
    client_for, alice, paula, acme_cycle, cascade
):
    for membership in (alice, paula):
        body = tree(client_for(membership), acme_cycle)
        deals = body["objectives"][1]["key_results"][0]["children"][0]["key_results"][0]
        assert deals["children"][1]["title"] == "Paula's secret"
        assert deals["children"][1]["key_results"][0]["title"] == "Secret KR"


def test_it_roots_a_cycle_at_objectives_aligned_to_other_cycles(client_for, emma, cascade):
    body = tree(client_for(emma), cascade["next_cycle"])

    assert [node["title"] for node in body["objectives"]] == ["Next cycle's"]


def test_it_shows_a_private_root_as_its_progress(client_for, emma, paula, acme):
    cycle = CycleFactory(organization=acme)
    ObjectiveFactory(
        cycle=cycle, owner=paula.user, level=Level.PERSONAL, visibility=Visibility.PRIVATE
    )

    body = tree(client_for(emma), cycle)

    assert body["objectives"] == [{"private": True, "progress": 0.0}]


def _as_json_schema(node):
    """OpenAPI 3.0's ``nullable`` is not JSON Schema: spell it as a type union."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


def test_it_matches_its_openapi_schema(client, client_for, emma, acme_cycle, cascade):
    openapi = client.get("/api/schema/?format=json").json()
    answer = openapi["paths"]["/api/v1/orgs/{org_slug}/tree/"]["get"]["responses"]["200"]
    schema = _as_json_schema(
        {**answer["content"]["application/json"]["schema"], "components": openapi["components"]}
    )
    KeyResult.objects.filter(pk=cascade["team_kr"].pk).update(confidence="at_risk")

    body = tree(client_for(emma), acme_cycle)

    # OpenAPI 3.0 schemas are JSON Schema draft 4 (boolean exclusiveMinimum…).
    validator = jsonschema.Draft4Validator(schema)
    validator.validate(body)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"cycle": 1, "objectives": [{"private": True}]})


@pytest.mark.parametrize("query", ["", "?cycle=", "?cycle=abc", "?cycle=999999"])
def test_it_needs_a_cycle_of_this_organization(client_for, emma, query):
    response = client_for(emma).get(org_url("acme", f"tree/{query}"))

    assert response.status_code == 400
    assert "cycle" in response.json()


def test_it_refuses_another_tenants_cycle(client_for, emma, globex_cycle):
    response = client_for(emma).get(org_url("acme", f"tree/?cycle={globex_cycle.pk}"))

    assert response.status_code == 400


def _build_cascade(cycle, owner, width: int) -> None:
    """Three levels of ``width`` objectives each, every one with a key result, in bulk."""
    organization_id = cycle.organization_id
    parents: list[KeyResult | None] = [None]
    for _ in range(3):
        objectives = Objective.objects.bulk_create(
            Objective(
                organization_id=organization_id,
                cycle=cycle,
                title=f"O{i}",
                level=Level.COMPANY,
                owner=owner,
                parent_key_result=parents[i % len(parents)],
            )
            for i in range(width)
        )
        parents = KeyResult.objects.bulk_create(
            KeyResult(
                organization_id=organization_id,
                objective=objective,
                title="KR",
                owner=owner,
                target_value=100,
            )
            for objective in objectives
        )


@pytest.mark.parametrize("width", [3, 340])
def test_it_answers_in_a_fixed_number_of_queries(
    client_for, emma, alice, acme_cycle, django_assert_max_num_queries, width
):
    _build_cascade(acme_cycle, alice.user, width)
    client = client_for(emma)

    # The token, its last_used_at, the organization and the membership, the cycle, the
    # roots, then per level its key results and the objectives below them: 12 for 10
    # objectives or 1,000.
    with django_assert_max_num_queries(12):
        body = tree(client, acme_cycle)

    assert len(body["objectives"]) == width
