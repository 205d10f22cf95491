"""The activity log: newest first, filtered, and as private as the objectives it is about."""

from __future__ import annotations

import pytest

from tests.api.conftest import org_url

pytestmark = pytest.mark.django_db


def test_it_records_writes_made_through_the_api(client_for, alice, acme_cycle):
    client = client_for(alice)
    objective = client.post(
        org_url("acme", "objectives/"),
        {"cycle": acme_cycle.pk, "title": "Grow", "level": "company"},
    ).json()
    key_result = client.post(
        org_url("acme", "key-results/"),
        {"objective": objective["id"], "title": "Revenue", "target_value": 10},
    ).json()
    client.post(
        org_url("acme", f"key-results/{key_result['id']}/check-ins/"),
        {"value": 3, "confidence": "on_track"},
    )

    rows = client.get(org_url("acme", "activity/")).json()["results"]

    assert set(rows[0]) == {
        "id",
        "actor",
        "verb",
        "target_type",
        "target_id",
        "summary",
        "created_at",
    }
    assert [row["verb"] for row in rows[:3]] == ["checked_in", "created", "created"]
    assert rows[0]["actor"] == alice.user.pk
    assert [row["target_type"] for row in rows[:3]] == ["check_in", "key_result", "objective"]
    by_key_result = client.get(org_url("acme", f"activity/?key_result={key_result['id']}")).json()
    assert [row["verb"] for row in by_key_result["results"]] == ["checked_in", "created"]
    by_objective = client.get(org_url("acme", f"activity/?objective={objective['id']}")).json()
    assert by_objective["count"] >= 1
    assert client.get(org_url("acme", "activity/?objective=nope")).status_code == 400


def test_it_hides_the_activity_of_private_objectives(client_for, alice, emma, paula, acme_cycle):
    client_for(paula).post(
        org_url("acme", "objectives/"),
        {"cycle": acme_cycle.pk, "title": "Secret", "level": "personal", "visibility": "private"},
    )

    def summaries(membership) -> list[str]:
        rows = client_for(membership).get(org_url("acme", "activity/")).json()["results"]
        return [row["summary"] for row in rows]

    assert not any("Secret" in summary for summary in summaries(emma))
    assert any("Secret" in summary for summary in summaries(paula))
    assert any("Secret" in summary for summary in summaries(alice))


def test_it_hides_another_tenants_activity(client_for, oscar, alice):
    assert client_for(oscar).get(org_url("acme", "activity/")).status_code == 404
