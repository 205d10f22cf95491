"""Rolling unfinished key results over into the next cycle, all or nothing
(docs/pace-and-grades.md): what is copied, how copies align, and every refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okr.models import (
    Activity,
    CycleStatus,
    KeyResult,
    Level,
    Metric,
    Objective,
    ProgressSource,
    Visibility,
)
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def q1(acme):
    return CycleFactory(organization=acme, name="Q1", status=CycleStatus.CLOSED)


@pytest.fixture
def q2(acme):
    return CycleFactory(organization=acme, name="Q2", status=CycleStatus.PLANNING)


@pytest.fixture
def yearly(acme):
    return CycleFactory(organization=acme, name="2027")


def kr(objective, *, current, **fields) -> KeyResult:
    row = KeyResultFactory(objective=objective, **fields)
    progress = (Decimal(current) - row.start_value) / (row.target_value - row.start_value) * 100
    KeyResult.objects.filter(pk=row.pk).update(
        current_value=Decimal(current), progress=float(max(min(progress, 100), 0))
    )
    row.refresh_from_db()
    return row


@pytest.fixture
def q1_cascade(q1, yearly, alice, mark, emma, platform_team):
    """Q1 (now closed): a company objective, a team one under it, Emma's under that.

    The company objective supports a key result of the yearly cycle (still open).
    """
    annual = ObjectiveFactory(cycle=yearly, owner=alice.user, title="Annual")
    annual_kr = KeyResultFactory(
        objective=annual, title="Annual revenue", progress_source=ProgressSource.ALIGNED
    )
    company = ObjectiveFactory(
        cycle=q1,
        owner=alice.user,
        title="Win the market",
        description="All of it.",
        position=3,
        parent_key_result=annual_kr,
    )
    customers = kr(company, current=40, title="Customers", unit="logos", weight=Decimal(2))
    churn = kr(company, current=100, title="Churn")  # finished
    team = ObjectiveFactory(
        cycle=q1,
        owner=mark.user,
        level=Level.TEAM,
        team=platform_team,
        title="Platform",
        parent_key_result=customers,
        visibility=Visibility.PRIVATE,
        position=1,
    )
    uptime = kr(team, current="99.5", start_value=Decimal(99), target_value=Decimal("99.9"))
    personal = ObjectiveFactory(
        cycle=q1, owner=emma.user, level=Level.PERSONAL, title="Emma's", parent_key_result=uptime
    )
    launch = kr(
        personal,
        current=0,
        metric=Metric.MILESTONE,
        start_value=Decimal(0),
        target_value=Decimal(1),
        owner=emma.user,
    )
    return locals()


def roll_over(client, cycle, to_cycle, key_results):
    return client.post(
        org_url("acme", f"cycles/{cycle.pk}/roll-over/"),
        {"to_cycle": getattr(to_cycle, "pk", to_cycle), "key_results": key_results},
        format="json",
    )


def test_it_copies_objectives_and_key_results_with_their_alignment(
    client_for, alice, q1, q2, q1_cascade
):
    c = q1_cascade
    listed = [c["customers"].pk, c["uptime"].pk, c["launch"].pk]

    response = roll_over(client_for(alice), q1, q2, listed)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"objectives", "key_results"}
    assert [set(row) for row in body["objectives"] + body["key_results"]] == [
        {"id", "rolled_over_from"}
    ] * 6
    objective_copies = {row["rolled_over_from"]: row["id"] for row in body["objectives"]}
    kr_copies = {row["rolled_over_from"]: row["id"] for row in body["key_results"]}
    assert set(objective_copies) == {c["company"].pk, c["team"].pk, c["personal"].pk}
    assert set(kr_copies) == set(listed)

    company = Objective.objects.get(pk=objective_copies[c["company"].pk])
    assert (company.cycle_id, company.title, company.description) == (
        q2.pk,
        "Win the market",
        "All of it.",
    )
    assert (company.level, company.owner_id, company.position) == ("company", alice.user_id, 3)
    assert company.rolled_over_from_id == c["company"].pk
    # Its source supported a key result of the yearly cycle, still open: so does the copy.
    assert company.parent_key_result_id == c["annual_kr"].pk

    team = Objective.objects.get(pk=objective_copies[c["team"].pk])
    assert (team.level, team.team_id, team.visibility) == ("team", c["platform_team"].pk, "private")
    # Its source supported "Customers", copied in the same call: the copy supports the copy.
    assert team.parent_key_result_id == kr_copies[c["customers"].pk]
    personal = Objective.objects.get(pk=objective_copies[c["personal"].pk])
    assert personal.parent_key_result_id == kr_copies[c["uptime"].pk]

    customers = KeyResult.objects.get(pk=kr_copies[c["customers"].pk])
    assert customers.objective_id == company.pk
    assert (customers.title, customers.unit, customers.weight) == ("Customers", "logos", 2)
    assert (customers.start_value, customers.current_value, customers.target_value) == (40, 40, 100)
    assert (customers.progress, customers.confidence, customers.grade) == (0, None, None)
    assert customers.rolled_over_from_id == c["customers"].pk
    # Only the listed key results are copied: "Churn" stays behind.
    assert list(company.key_results.values_list("title", flat=True)) == ["Customers"]
    launch = KeyResult.objects.get(pk=kr_copies[c["launch"].pk])
    assert (launch.metric, launch.start_value, launch.target_value) == ("milestone", 0, 1)
    assert launch.owner_id == c["emma"].user_id

    # The API answers where each copy came from.
    client = client_for(alice)
    detail = client.get(org_url("acme", f"key-results/{customers.pk}/")).json()
    assert detail["rolled_over_from"] == c["customers"].pk
    detail = client.get(org_url("acme", f"objectives/{team.pk}/")).json()
    assert detail["rolled_over_from"] == c["team"].pk
    source = client.get(org_url("acme", f"objectives/{c['team'].pk}/")).json()
    assert source["rolled_over_from"] is None
    verbs = Activity.objects.filter(verb="rolled_over")
    assert verbs.filter(target_type="objective").count() == 3
    assert verbs.filter(target_type="key_result").count() == 3


def test_it_unaligns_a_copy_whose_parent_is_in_a_closed_cycle(
    client_for, alice, acme, q1, q2, q1_cascade
):
    c = q1_cascade
    # Only the team's key result: its source supported "Customers", in closed Q1, not copied.
    response = roll_over(client_for(alice), q1, q2, [c["uptime"].pk])

    assert response.status_code == 201, response.json()
    copy = Objective.objects.get(pk=response.json()["objectives"][0]["id"])
    assert copy.parent_key_result_id is None


def test_it_keeps_an_alignment_to_an_open_cycle(client_for, alice, q1, yearly, q2, q1_cascade):
    c = q1_cascade
    Objective.objects.filter(pk=c["team"].pk).update(parent_key_result=c["annual_kr"])

    response = roll_over(client_for(alice), q1, q2, [c["uptime"].pk])

    copy = Objective.objects.get(pk=response.json()["objectives"][0]["id"])
    assert copy.parent_key_result_id == c["annual_kr"].pk


def test_it_rolls_into_an_active_cycle_from_an_open_one(client_for, mark, acme, q2, q1_cascade):
    active = CycleFactory(organization=acme, name="Now")
    objective = ObjectiveFactory(cycle=active, owner=mark.user, level=Level.PERSONAL)
    row = kr(objective, current=10)

    response = roll_over(client_for(mark), active, q2, [row.pk])

    assert response.status_code == 201, response.json()


def nothing_written(before: tuple[int, int, int]) -> bool:
    return before == (
        Objective.objects.count(),
        KeyResult.objects.count(),
        Activity.objects.count(),
    )


def counts() -> tuple[int, int, int]:
    return Objective.objects.count(), KeyResult.objects.count(), Activity.objects.count()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("finished", "key_results"),
        ("same_cycle", "to_cycle"),
        ("closed_target", "to_cycle"),
        ("other_tenant_target", "to_cycle"),
        ("unknown_key_result", "key_results"),
        ("not_in_this_cycle", "key_results"),
        ("empty", "key_results"),
        ("not_a_list", "key_results"),
        ("too_many", "key_results"),
    ],
)
def test_it_refuses_bad_roll_overs_and_writes_nothing(
    client_for, alice, acme, q1, q2, yearly, globex_cycle, q1_cascade, case, field
):
    c = q1_cascade
    fine = c["customers"].pk
    to_cycle, listed = q2, [fine]
    if case == "finished":
        listed = [fine, c["churn"].pk]
    elif case == "same_cycle":
        to_cycle = q1
    elif case == "closed_target":
        to_cycle = CycleFactory(organization=acme, status=CycleStatus.CLOSED)
    elif case == "other_tenant_target":
        to_cycle = globex_cycle
    elif case == "unknown_key_result":
        listed = [fine, 987654321]
    elif case == "not_in_this_cycle":
        listed = [fine, c["annual_kr"].pk]
    elif case == "empty":
        listed = []
    elif case == "not_a_list":
        listed = "all"
    elif case == "too_many":
        listed = [fine] * 201
    before = counts()

    response = roll_over(client_for(alice), q1, to_cycle, listed)

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert nothing_written(before)


def test_it_refuses_rolling_twice_into_the_same_cycle(client_for, alice, q1, q2, acme, q1_cascade):
    client = client_for(alice)
    assert roll_over(client, q1, q2, [q1_cascade["customers"].pk]).status_code == 201
    before = counts()

    response = roll_over(client, q1, q2, [q1_cascade["uptime"].pk, q1_cascade["customers"].pk])

    assert response.status_code == 400
    assert "already rolled over" in response.json()["key_results"][0]
    assert nothing_written(before)
    # Into another cycle it may go again.
    q3 = CycleFactory(organization=acme, name="Q3", status=CycleStatus.PLANNING)
    assert roll_over(client, q1, q3, [q1_cascade["customers"].pk]).status_code == 201


def test_a_member_may_not_roll_over_a_company_key_result(client_for, emma, q1, q2, q1_cascade):
    before = counts()

    response = roll_over(
        client_for(emma), q1, q2, [q1_cascade["launch"].pk, q1_cascade["customers"].pk]
    )

    assert response.status_code == 403
    assert "detail" in response.json()
    assert nothing_written(before)


def test_the_refusal_for_the_role_comes_before_bad_input(
    client_for, emma, mark, q1, globex_cycle, q1_cascade
):
    # A bad target cycle too: still a 403, since the role is checked first.
    response = roll_over(client_for(emma), q1, globex_cycle, [q1_cascade["customers"].pk])
    assert response.status_code == 403
    # A manager may roll over team and personal objectives, not the company's.
    response = roll_over(client_for(mark), q1, globex_cycle, [q1_cascade["uptime"].pk])
    assert response.status_code == 400


def test_a_member_rolls_over_their_own_personal_key_results(client_for, emma, q1, q2, q1_cascade):
    response = roll_over(client_for(emma), q1, q2, [q1_cascade["launch"].pk])

    assert response.status_code == 201, response.json()


def test_it_hides_private_and_foreign_key_results(
    client_for, emma, oscar, q1, q2, q1_cascade, globex_key_result
):
    # The team objective is private: Emma cannot see its key result, so it does not exist.
    response = roll_over(client_for(emma), q1, q2, [q1_cascade["uptime"].pk])
    assert response.status_code == 400
    assert response.json()["key_results"] == [
        f'Invalid pk "{q1_cascade["uptime"].pk}" - object does not exist.'
    ]
    response = roll_over(client_for(emma), q1, q2, [globex_key_result.pk])
    assert response.status_code == 400
    url = org_url("acme", f"cycles/{q1.pk}/roll-over/")
    assert client_for(oscar).post(url, {}, format="json").status_code == 404


def test_it_rejects_get(client_for, alice, q1):
    assert client_for(alice).get(org_url("acme", f"cycles/{q1.pk}/roll-over/")).status_code == 405


def test_it_refuses_copies_owned_by_someone_who_left(client_for, alice, q1, q2, q1_cascade, emma):
    emma.is_active = False
    emma.save()
    before = counts()

    response = roll_over(client_for(alice), q1, q2, [q1_cascade["launch"].pk])

    assert response.status_code == 400
    assert "reassign" in response.json()["key_results"][0]
    assert nothing_written(before)
