"""Expected pace, status and forecast on key results and objectives, in list, detail and tree
(docs/pace-and-grades.md), with a number of queries that does not grow with the rows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from okr.models import CheckIn, CycleStatus, KeyResult, Metric, Objective, ProgressSource
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(acme):
    return acme.local_date()


@pytest.fixture
def halfway(acme, today):
    """A cycle of ten days, five of them gone: a steady pace shows 50 %."""
    return CycleFactory(
        organization=acme,
        name="Halfway",
        start_date=today - datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=5),
    )


def set_progress(row, progress: float) -> None:
    type(row).objects.filter(pk=row.pk).update(progress=progress)


def check_in(key_result, when: datetime.datetime, value) -> CheckIn:
    row = CheckIn.objects.create(
        organization=key_result.organization,
        key_result=key_result,
        author=key_result.owner,
        value=Decimal(value),
        confidence="on_track",
        created_at=when,
    )
    KeyResult.objects.filter(pk=key_result.pk).update(
        current_value=Decimal(value), last_check_in_at=when
    )
    return row


def test_it_answers_pace_and_status_in_detail(client_for, emma, alice, halfway):
    objective = ObjectiveFactory(cycle=halfway, owner=alice.user)
    behind = KeyResultFactory(objective=objective)
    set_progress(behind, 39.99)
    set_progress(objective, 40)
    client = client_for(emma)

    key_result = client.get(org_url("acme", f"key-results/{behind.pk}/")).json()
    assert key_result["expected_progress"] == 50
    assert key_result["status"] == "at_risk"  # gap −10.01
    assert key_result["confidence"] is None  # the owner's belief stays apart
    body = client.get(org_url("acme", f"objectives/{objective.pk}/")).json()
    assert body["expected_progress"] == 50
    assert body["status"] == "on_track"  # gap −10 exactly


def test_it_reads_a_closed_cycle_at_its_end(client_for, alice, acme, today):
    closed = CycleFactory(
        organization=acme,
        start_date=today - datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=20),
        status=CycleStatus.CLOSED,
    )
    objective = ObjectiveFactory(cycle=closed, owner=alice.user)
    set_progress(objective, 80)

    body = client_for(alice).get(org_url("acme", f"objectives/{objective.pk}/")).json()

    assert body["expected_progress"] == 100
    assert body["status"] == "at_risk"


def test_it_says_not_started_for_a_planning_cycle_and_done_at_a_hundred(
    client_for, alice, acme, today
):
    planning = CycleFactory(organization=acme, status=CycleStatus.PLANNING)
    waiting = ObjectiveFactory(cycle=planning, owner=alice.user)
    finished = ObjectiveFactory(cycle=planning, owner=alice.user)
    set_progress(finished, 100)

    rows = client_for(alice).get(org_url("acme", f"objectives/?cycle={planning.pk}")).json()

    statuses = {row["id"]: row["status"] for row in rows["results"]}
    assert statuses == {waiting.pk: "not_started", finished.pk: "done"}


def test_it_forecasts_from_the_check_ins(client_for, emma, alice, acme, halfway, today):
    objective = ObjectiveFactory(cycle=halfway, owner=alice.user)
    revenue = KeyResultFactory(objective=objective, target_value=Decimal(1000))
    first = datetime.datetime.combine(
        today - datetime.timedelta(days=2), datetime.time(9), tzinfo=datetime.UTC
    )
    second = first + datetime.timedelta(hours=30)
    check_in(revenue, first, 100)
    check_in(revenue, second, 160)  # 2 an hour
    end = datetime.datetime.combine(
        halfway.end_date + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )
    hours_after_second = Fraction(int((end - second).total_seconds()), 3600)
    expected_value = 160 + 2 * hours_after_second

    body = client_for(emma).get(org_url("acme", f"key-results/{revenue.pk}/")).json()

    assert body["forecast_value"] == pytest.approx(float(expected_value), abs=1e-6)
    assert body["forecast_progress"] == round(float(expected_value) / 10, 2)


def test_it_gives_no_forecast_where_there_is_none(client_for, alice, halfway, today):
    objective = ObjectiveFactory(cycle=halfway, owner=alice.user)
    once = KeyResultFactory(objective=objective)
    milestone = KeyResultFactory(
        objective=objective, metric=Metric.MILESTONE, start_value=0, target_value=1
    )
    aligned = KeyResultFactory(objective=objective, progress_source=ProgressSource.ALIGNED)
    now = datetime.datetime.now(datetime.UTC)
    check_in(once, now - datetime.timedelta(days=1), 10)
    check_in(milestone, now - datetime.timedelta(days=2), 0)
    check_in(milestone, now - datetime.timedelta(days=1), 1)

    rows = client_for(alice).get(org_url("acme", f"key-results/?objective={objective.pk}"))

    for row in rows.json()["results"]:
        assert row["forecast_value"] is None, row
        assert row["forecast_progress"] is None
    assert {row["id"] for row in rows.json()["results"]} == {once.pk, milestone.pk, aligned.pk}


def test_it_answers_pace_in_the_tree(client_for, emma, alice, halfway, today):
    company = ObjectiveFactory(cycle=halfway, owner=alice.user, title="Company")
    revenue = KeyResultFactory(objective=company, title="Revenue")
    team = ObjectiveFactory(cycle=halfway, owner=alice.user, parent_key_result=revenue)
    deals = KeyResultFactory(objective=team, title="Deals")
    set_progress(deals, 10)
    set_progress(team, 10)
    now = datetime.datetime.now(datetime.UTC)
    check_in(deals, now - datetime.timedelta(days=2), 0)
    check_in(deals, now - datetime.timedelta(days=1), 10)

    body = client_for(emma).get(org_url("acme", f"tree/?cycle={halfway.pk}")).json()

    root = body["objectives"][0]
    assert (root["expected_progress"], root["status"]) == (50, "off_track")
    assert root["key_results"][0]["forecast_value"] is None
    child = root["key_results"][0]["children"][0]
    assert child["status"] == "off_track"
    deals_json = child["key_results"][0]
    assert deals_json["status"] == "off_track"
    assert deals_json["expected_progress"] == 50
    assert deals_json["forecast_value"] > 10


def build(cycle, owner, count: int) -> None:
    now = datetime.datetime.now(datetime.UTC)
    for index in range(count):
        objective = ObjectiveFactory(cycle=cycle, owner=owner, title=f"Objective {index}")
        for kr_index in range(2):
            key_result = KeyResultFactory(objective=objective, title=f"KR {index}.{kr_index}")
            check_in(key_result, now - datetime.timedelta(days=2), index)
            check_in(key_result, now - datetime.timedelta(days=1), index + 5)


@pytest.mark.parametrize("path", ["key-results/", "objectives/", "tree/?cycle={cycle}"])
def test_it_reads_pace_in_a_fixed_number_of_queries(client_for, alice, halfway, path):
    client = client_for(alice)
    url = org_url("acme", path.format(cycle=halfway.pk))
    client.get(url)  # the token's first use writes its last_used_at
    counts = []
    for size in (2, 8):
        build(halfway, alice.user, size - len(counts) * 2)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert Objective.objects.filter(cycle=halfway).count() == 8
    assert counts[0] == counts[1], counts


def test_the_trees_etag_moves_with_the_calendar(client_for, alice, halfway, today, monkeypatch):
    # Nothing is written overnight, yet the pace has moved: the tree must not answer 304.
    ObjectiveFactory(cycle=halfway, owner=alice.user)
    client = client_for(alice)
    url = org_url("acme", f"tree/?cycle={halfway.pk}")
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(Organization, "local_date", lambda self, at=None: tomorrow)
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second.json()["objectives"][0]["expected_progress"] == 60
    assert first.json()["objectives"][0]["expected_progress"] == 50
