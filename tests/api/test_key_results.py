"""Key results: numbers as JSON numbers, the metric rules, rights that follow the objective."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okr.models import CycleStatus, KeyResult, Level, Visibility
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "objective",
    "title",
    "owner",
    "metric",
    "unit",
    "start_value",
    "target_value",
    "current_value",
    "weight",
    "progress_source",
    "position",
    "progress",
    "confidence",
    "last_check_in_at",
    "expected_progress",
    "status",
    "forecast_value",
    "forecast_progress",
    "grade",
    "grade_note",
    "score",
    "rolled_over_from",
}


def test_it_adds_a_key_result_with_numbers_as_json_numbers(client_for, alice, company_objective):
    response = client_for(alice).post(
        org_url("acme", "key-results/"),
        {
            "objective": company_objective.pk,
            "title": "p95 latency",
            "unit": "ms",
            "start_value": 800,
            "target_value": 200.5,
            "weight": "2",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["start_value"] == 800
    assert body["target_value"] == 200.5
    assert body["current_value"] == 800
    assert body["weight"] == 2
    assert body["owner"] == alice.user.pk
    assert body["progress"] == 0
    assert body["confidence"] is None
    assert body["last_check_in_at"] is None


def test_it_defaults_a_milestone_to_zero_to_one(client_for, alice, company_objective):
    response = client_for(alice).post(
        org_url("acme", "key-results/"),
        {"objective": company_objective.pk, "title": "Launch", "metric": "milestone"},
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["start_value"], response.json()["target_value"]) == (0, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_value": 0}, "target_value"),
        ({"target_value": None}, "target_value"),
        ({"target_value": "NaN"}, "target_value"),
        ({"target_value": "Infinity"}, "target_value"),
        ({"target_value": "-inf"}, "target_value"),
        ({"target_value": True}, "target_value"),
        ({"target_value": [1]}, "target_value"),
        ({"target_value": 1e15}, "target_value"),
        ({"target_value": 0.0000001}, "target_value"),
        ({"target_value": "lots"}, "target_value"),
        ({"weight": 0}, "weight"),
        ({"weight": -1}, "weight"),
        ({"metric": "milestone", "target_value": 5}, "target_value"),
        ({"metric": "milestone", "start_value": 1, "target_value": 1}, "start_value"),
        ({"metric": "vibes"}, "metric"),
        ({"progress_source": "guessed"}, "progress_source"),
        ({"title": ""}, "title"),
        ({"unit": "u" * 33}, "unit"),
        ({"objective": None}, "objective"),
    ],
)
def test_it_refuses_invalid_key_results(client_for, alice, company_objective, body, field):
    payload = {"objective": company_objective.pk, "title": "KR", "target_value": 10, **body}

    response = client_for(alice).post(org_url("acme", "key-results/"), payload)

    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_it_refuses_target_missing_for_a_measured_key_result(client_for, alice, company_objective):
    response = client_for(alice).post(
        org_url("acme", "key-results/"), {"objective": company_objective.pk, "title": "KR"}
    )

    assert response.status_code == 400
    assert response.json() == {"target_value": ["Enter the value you aim for."]}


def test_it_refuses_nan_in_raw_json(client_for, alice, company_objective):
    response = client_for(alice).post(
        org_url("acme", "key-results/"),
        f'{{"objective": {company_objective.pk}, "title": "KR", "target_value": NaN}}',
        content_type="application/json",
    )

    assert response.status_code == 400


def test_it_refuses_malformed_json(client_for, alice):
    response = client_for(alice).post(
        org_url("acme", "key-results/"), "{not json", content_type="application/json"
    )

    assert response.status_code == 400


def test_it_follows_the_objectives_rights(client_for, emma, mark, acme_cycle, company_objective):
    own = ObjectiveFactory(cycle=acme_cycle, owner=emma.user, level=Level.PERSONAL)
    company_kr = KeyResultFactory(objective=company_objective)
    client = client_for(emma)

    on_own = client.post(
        org_url("acme", "key-results/"),
        {"objective": own.pk, "title": "Read 5 books", "target_value": 5, "owner": mark.user.pk},
    )
    on_company = client.post(
        org_url("acme", "key-results/"), {"objective": company_objective.pk, "title": ""}
    )
    edit_company = client.patch(org_url("acme", f"key-results/{company_kr.pk}/"), {"title": ""})
    delete_company = client.delete(org_url("acme", f"key-results/{company_kr.pk}/"))

    assert on_own.status_code == 201, on_own.json()
    assert on_own.json()["owner"] == mark.user.pk
    assert (on_company.status_code, edit_company.status_code, delete_company.status_code) == (
        403,
        403,
        403,
    )


def test_it_edits_a_key_result_and_keeps_it_on_its_objective(
    client_for, alice, company_objective, company_key_result, acme_cycle
):
    elsewhere = ObjectiveFactory(cycle=acme_cycle, owner=alice.user)

    response = client_for(alice).patch(
        org_url("acme", f"key-results/{company_key_result.pk}/"),
        {"target_value": 50, "objective": elsewhere.pk, "position": 4},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["target_value"] == 50
    assert response.json()["objective"] == company_objective.pk
    assert response.json()["position"] == 4


def test_it_refuses_another_tenants_objective_or_owner(
    client_for, alice, oscar, company_objective, globex_objective
):
    client = client_for(alice)

    foreign_objective = client.post(
        org_url("acme", "key-results/"),
        {"objective": globex_objective.pk, "title": "KR", "target_value": 1},
    )
    foreign_owner = client.post(
        org_url("acme", "key-results/"),
        {
            "objective": company_objective.pk,
            "title": "KR",
            "target_value": 1,
            "owner": oscar.user.pk,
        },
    )

    assert foreign_objective.json() == {
        "objective": [f'Invalid pk "{globex_objective.pk}" - object does not exist.']
    }
    assert foreign_owner.json() == {
        "owner": [f'Invalid pk "{oscar.user.pk}" - object does not exist.']
    }


def test_it_hides_another_tenants_key_results(client_for, alice, globex_key_result):
    url = org_url("acme", f"key-results/{globex_key_result.pk}/")
    client = client_for(alice)

    assert client.get(url).status_code == 404
    assert client.patch(url, {"title": "x"}).status_code == 404
    assert client.delete(url).status_code == 404


def test_it_hides_the_key_results_of_private_objectives(client_for, emma, paula, acme_cycle):
    secret = ObjectiveFactory(
        cycle=acme_cycle, owner=paula.user, level=Level.PERSONAL, visibility=Visibility.PRIVATE
    )
    hidden = KeyResultFactory(objective=secret)

    assert client_for(emma).get(org_url("acme", f"key-results/{hidden.pk}/")).status_code == 404
    assert client_for(emma).get(org_url("acme", "key-results/")).json()["count"] == 0
    assert client_for(paula).get(org_url("acme", "key-results/")).json()["count"] == 1


def test_it_filters_key_results_by_objective_and_owner(
    client_for, alice, emma, company_objective, acme_cycle
):
    other = ObjectiveFactory(cycle=acme_cycle, owner=alice.user)
    first = KeyResultFactory(objective=company_objective, owner=alice.user)
    second = KeyResultFactory(objective=other, owner=emma.user)
    client = client_for(emma)

    by_objective = client.get(org_url("acme", f"key-results/?objective={company_objective.pk}"))
    by_owner = client.get(org_url("acme", f"key-results/?owner={emma.user.pk}"))

    assert [row["id"] for row in by_objective.json()["results"]] == [first.pk]
    assert [row["id"] for row in by_owner.json()["results"]] == [second.pk]
    assert client.get(org_url("acme", "key-results/?objective=x")).status_code == 400


def test_it_refuses_key_result_writes_in_a_closed_cycle(client_for, alice, acme):
    closed = CycleFactory(organization=acme, status=CycleStatus.CLOSED)
    key_result = KeyResultFactory(objective=ObjectiveFactory(cycle=closed, owner=alice.user))
    client = client_for(alice)

    assert client.patch(org_url("acme", f"key-results/{key_result.pk}/"), {}).status_code == 400
    assert client.delete(org_url("acme", f"key-results/{key_result.pk}/")).status_code == 400
    assert KeyResult.objects.filter(pk=key_result.pk).exists()


def test_it_keeps_six_decimals(client_for, alice, company_objective):
    response = client_for(alice).post(
        org_url("acme", "key-results/"),
        {"objective": company_objective.pk, "title": "KR", "target_value": "1234.123456"},
    )

    assert response.status_code == 201, response.json()
    stored = KeyResult.objects.get(pk=response.json()["id"]).target_value
    assert stored == Decimal("1234.123456")


@pytest.mark.parametrize(
    "value", ["99999999999999.999999", "-99999999999999.5", "99999999999999.99"]
)
def test_it_never_stores_a_number_it_cannot_read_back(client_for, alice, company_objective, value):
    """On SQLite (doubles) such a value would read back as 10¹⁴; PostgreSQL keeps it exactly."""
    response = client_for(alice).post(
        org_url("acme", "key-results/"),
        {"objective": company_objective.pk, "title": "KR", "target_value": value},
    )

    if response.status_code == 201:
        assert client_for(alice).get(org_url("acme", "key-results/")).status_code == 200
    else:
        assert response.status_code == 400
        assert "target_value" in response.json()


def test_a_source_change_to_aligned_answers_the_aligned_progress_at_once(
    client_for, alice, acme_cycle, company_objective
):
    """The edited key result itself is never stale: only its ancestors wait for the roll-up."""
    key_result = KeyResultFactory(
        objective=company_objective, target_value=Decimal(10), current_value=Decimal(5)
    )
    KeyResult.objects.filter(pk=key_result.pk).update(progress=50.0)
    url = org_url("acme", f"key-results/{key_result.pk}/")

    alone = client_for(alice).patch(url, {"progress_source": "aligned"})

    assert alone.status_code == 200, alone.json()
    assert alone.json()["progress"] == 0.0  # no objective supports it yet
    assert KeyResult.objects.get(pk=key_result.pk).progress == 0.0

    client_for(alice).patch(url, {"progress_source": "measured"})
    ObjectiveFactory(cycle=acme_cycle, parent_key_result=key_result, progress=30.0)
    ObjectiveFactory(cycle=acme_cycle, parent_key_result=key_result, progress=45.0)

    supported = client_for(alice).patch(url, {"progress_source": "aligned"})

    assert supported.json()["progress"] == 37.5  # the plain mean of its supporters
    assert client_for(alice).get(url).json()["progress"] == 37.5
