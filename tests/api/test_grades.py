"""Grading a key result, and the scores that follow (docs/pace-and-grades.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okr.models import Activity, CycleStatus, KeyResult, Level, Objective
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def emmas_objective(acme_cycle, emma):
    return ObjectiveFactory(cycle=acme_cycle, owner=emma.user, level=Level.PERSONAL)


@pytest.fixture
def emmas_key_result(emmas_objective):
    return KeyResultFactory(objective=emmas_objective, title="Ship the beta")


def grade_url(key_result) -> str:
    return org_url("acme", f"key-results/{key_result.pk}/grade/")


def test_it_grades_a_key_result_and_answers_it(client_for, emma, emmas_key_result):
    KeyResult.objects.filter(pk=emmas_key_result.pk).update(progress=20)

    response = client_for(emma).post(
        grade_url(emmas_key_result), {"grade": 0.7, "note": "Shipped, late."}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == emmas_key_result.pk
    assert (body["grade"], body["grade_note"], body["score"]) == (0.7, "Shipped, late.", 0.7)
    emmas_key_result.refresh_from_db()
    assert emmas_key_result.grade == Decimal("0.70")
    activity = Activity.objects.get(verb="graded")
    assert activity.key_result_id == emmas_key_result.pk
    assert activity.actor_id == emma.user_id


def test_it_clears_a_grade_with_null(client_for, emma, emmas_key_result):
    KeyResult.objects.filter(pk=emmas_key_result.pk).update(
        grade=Decimal("0.3"), grade_note="Meh", progress=55
    )

    response = client_for(emma).post(grade_url(emmas_key_result), {"grade": None}, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["grade"], response.json()["grade_note"]) == (None, "")
    assert response.json()["score"] == 0.55
    assert Activity.objects.get(verb="graded").summary.startswith("cleared the grade")


def test_it_grades_in_a_closed_cycle(client_for, emma, acme, emma_key_result_in):
    closed = CycleFactory(organization=acme, status=CycleStatus.CLOSED)
    key_result = emma_key_result_in(closed)

    response = client_for(emma).post(grade_url(key_result), {"grade": "0.45"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["grade"] == 0.45


@pytest.fixture
def emma_key_result_in(emma):
    def make(cycle):
        objective = ObjectiveFactory(cycle=cycle, owner=emma.user, level=Level.PERSONAL)
        return KeyResultFactory(objective=objective)

    return make


def test_it_refuses_a_planning_cycle(client_for, emma, acme, emma_key_result_in):
    key_result = emma_key_result_in(CycleFactory(organization=acme, status=CycleStatus.PLANNING))

    response = client_for(emma).post(grade_url(key_result), {"grade": 0.5}, format="json")

    assert response.status_code == 400
    assert "grade" in response.json()
    assert KeyResult.objects.get(pk=key_result.pk).grade is None


@pytest.mark.parametrize(
    "body",
    [
        {"grade": 1.01},
        {"grade": -0.01},
        {"grade": 0.015},
        {"grade": 5},
        {"grade": True},
        {"grade": "high"},
        {},
        {"grade": 0.5, "note": "x" * 501},
        {"grade": 0.5, "note": None},
    ],
)
def test_it_refuses_bad_grades_and_writes_nothing(client_for, emma, emmas_key_result, body):
    response = client_for(emma).post(grade_url(emmas_key_result), body, format="json")

    assert response.status_code == 400, response.json()
    assert set(response.json()) <= {"grade", "note"}
    assert KeyResult.objects.get(pk=emmas_key_result.pk).grade is None
    assert not Activity.objects.filter(verb="graded").exists()


def test_it_lets_those_who_may_check_in_grade(
    client_for, emma, mark, alice, paula, emmas_key_result
):
    for who, expected in [(paula, 403), (mark, 200), (alice, 200)]:
        response = client_for(who).post(grade_url(emmas_key_result), {"grade": 1}, format="json")
        assert response.status_code == expected, (who, response.json())
    assert "detail" in client_for(paula).post(grade_url(emmas_key_result), {}).json()


def test_it_lets_the_key_result_owner_grade_on_someone_elses_objective(
    client_for, paula, alice, company_objective
):
    key_result = KeyResultFactory(objective=company_objective, owner=paula.user)

    response = client_for(paula).post(grade_url(key_result), {"grade": 0.2}, format="json")

    assert response.status_code == 200


def test_it_hides_other_tenants_and_private_key_results(
    client_for, oscar, emma, paula, globex_key_result, acme_cycle
):
    secret = ObjectiveFactory(
        cycle=acme_cycle, owner=paula.user, level=Level.PERSONAL, visibility="private"
    )
    hidden = KeyResultFactory(objective=secret)

    assert client_for(emma).post(grade_url(hidden), {"grade": 1}).status_code == 404
    assert client_for(emma).post(grade_url(globex_key_result), {"grade": 1}).status_code == 404
    assert client_for(oscar).post(grade_url(hidden), {"grade": 1}).status_code == 404


def test_it_rejects_get(client_for, emma, emmas_key_result):
    assert client_for(emma).get(grade_url(emmas_key_result)).status_code == 405


def test_it_scores_objectives_from_grades_and_progress(
    client_for, alice, company_objective, acme_cycle
):
    graded = KeyResultFactory(objective=company_objective, weight=Decimal(3))
    ungraded = KeyResultFactory(objective=company_objective, weight=Decimal(1))
    KeyResult.objects.filter(pk=graded.pk).update(grade=Decimal("0.9"), progress=10)
    KeyResult.objects.filter(pk=ungraded.pk).update(progress=50)
    empty = ObjectiveFactory(cycle=acme_cycle, owner=alice.user)
    client = client_for(alice)

    detail = client.get(org_url("acme", f"objectives/{company_objective.pk}/")).json()
    listed = client.get(org_url("acme", f"objectives/?cycle={acme_cycle.pk}")).json()
    tree = client.get(org_url("acme", f"tree/?cycle={acme_cycle.pk}")).json()

    assert detail["score"] == 0.8  # (3 × 0.9 + 1 × 0.5) / 4
    scores = {row["id"]: row["score"] for row in listed["results"]}
    assert scores == {company_objective.pk: 0.8, empty.pk: 0}
    assert {node["id"]: node["score"] for node in tree["objectives"]} == scores
    key_results = {kr["id"]: kr["score"] for kr in tree["objectives"][0]["key_results"]}
    assert key_results == {graded.pk: 0.9, ungraded.pk: 0.5}
    assert Objective.objects.count() == 2
