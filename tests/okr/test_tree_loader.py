"""The cascade loader behind the tree page and the API tree: levels, privacy, cycles, cost."""

from __future__ import annotations

import datetime

import pytest

from okr.models import KeyResult, Level, Objective, Visibility
from okr.tree import EpochSeconds, ObjectiveNode, cycle_roots, load_cascade
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(acme, alice, mark, emma, acme_cycle):
    """Alice's company objective, a team objective under it and, under that, Emma's
    objective and Mark's private one; plus a next-cycle objective under the company."""
    company = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Company")
    revenue = KeyResultFactory(objective=company, title="Revenue")
    team = ObjectiveFactory(
        cycle=acme_cycle, owner=alice.user, title="Team", parent_key_result=revenue
    )
    deals = KeyResultFactory(objective=team, title="Deals")
    emmas = ObjectiveFactory(
        cycle=acme_cycle,
        owner=emma.user,
        level=Level.PERSONAL,
        title="Emma's",
        parent_key_result=deals,
        position=0,
    )
    KeyResultFactory(objective=emmas, title="Calls")
    secret = ObjectiveFactory(
        cycle=acme_cycle,
        owner=mark.user,
        level=Level.PERSONAL,
        visibility=Visibility.PRIVATE,
        title="Mark's secret",
        parent_key_result=deals,
        position=1,
    )
    Objective.objects.filter(pk=secret.pk).update(progress=37.5)
    KeyResultFactory(objective=secret, title="Secret KR")
    next_cycle = CycleFactory(organization=acme, name="Next")
    later = ObjectiveFactory(
        cycle=next_cycle, owner=alice.user, title="Next cycle's", parent_key_result=revenue
    )
    return {"next_cycle": next_cycle, "later": later, "secret": secret}


def titles(nodes: list[ObjectiveNode] | None) -> list[str]:
    assert nodes is not None, "this level was not loaded"
    return [node.objective.title for node in nodes]


def test_it_stops_at_the_depth_asked_for(emma, acme_cycle, cascade):
    [company] = load_cascade(emma, cycle_roots(emma, acme_cycle), depth=1)

    [revenue] = company.key_results
    assert revenue.child_count == 2
    assert revenue.children is None and not revenue.is_loaded

    [company] = load_cascade(emma, cycle_roots(emma, acme_cycle), depth=2)

    [revenue] = company.key_results
    assert titles(revenue.children) == ["Team", "Next cycle's"]
    [deals] = revenue.children[0].key_results
    assert deals.child_count == 2 and deals.children is None


def test_it_loads_every_level_without_a_depth(emma, acme_cycle, cascade):
    [company] = load_cascade(emma, cycle_roots(emma, acme_cycle), depth=None)

    team = company.key_results[0].children[0]
    [deals] = team.key_results
    assert titles(deals.children) == ["Emma's", "Mark's secret"]
    assert [node.key_result.title for node in deals.children[0].key_results] == ["Calls"]


def test_it_indents_rows_from_where_the_roots_sit(emma, acme_cycle, cascade):
    [company] = load_cascade(emma, cycle_roots(emma, acme_cycle), depth=2, indent=3)

    revenue = company.key_results[0]
    assert (company.depth, revenue.depth, revenue.children[0].depth) == (3, 4, 5)


def test_it_shows_a_private_objective_only_as_its_progress(emma, acme_cycle, cascade):
    [company] = load_cascade(emma, cycle_roots(emma, acme_cycle), depth=None)

    secret = company.key_results[0].children[0].key_results[0].children[1]
    assert not secret.is_visible
    assert secret.objective.progress == 37.5
    assert secret.key_results == []  # its key results are never loaded


def test_it_shows_the_private_objective_to_its_owner_and_admins(alice, mark, acme_cycle, cascade):
    for membership in (alice, mark):
        [company] = load_cascade(membership, cycle_roots(membership, acme_cycle), depth=None)

        secret = company.key_results[0].children[0].key_results[0].children[1]
        assert secret.is_visible
        assert [node.key_result.title for node in secret.key_results] == ["Secret KR"]


def test_it_follows_children_into_other_cycles_and_roots_them_there(emma, cascade):
    roots = cycle_roots(emma, cascade["next_cycle"])

    assert list(roots) == [cascade["later"]]


def test_it_keeps_another_organizations_objectives_out(oscar, globex_cycle, acme_cycle, cascade):
    assert list(cycle_roots(oscar, acme_cycle)) == []
    assert load_cascade(oscar, Objective.objects.all(), depth=None) == []


def _build_levels(cycle, owner, *, levels: int, width: int) -> None:
    """``levels`` levels of ``width`` objectives, each with a key result, in bulk."""
    parents: list[KeyResult | None] = [None]
    for _ in range(levels):
        objectives = Objective.objects.bulk_create(
            Objective(
                organization_id=cycle.organization_id,
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
                organization_id=cycle.organization_id,
                objective=objective,
                title="KR",
                owner=owner,
                target_value=100,
            )
            for objective in objectives
        )


@pytest.mark.parametrize("width", [3, 200])
def test_it_costs_two_queries_per_level_whatever_its_size(
    emma, alice, acme_cycle, django_assert_num_queries, width
):
    _build_levels(acme_cycle, alice.user, levels=3, width=width)

    # Per level: its objectives, then their key results with their child counts. The
    # last level's key results support nothing, so no query looks below them.
    with django_assert_num_queries(6):
        nodes = load_cascade(emma, cycle_roots(emma, acme_cycle), depth=None)
    with django_assert_num_queries(4):
        load_cascade(emma, cycle_roots(emma, acme_cycle), depth=2, with_people=False)
    with django_assert_num_queries(0):  # the page names owners: they came along
        owners = {node.objective.owner.email for node in nodes}
        owners |= {kr.key_result.owner.email for node in nodes for kr in node.key_results}
    assert owners == {alice.user.email}

    assert len(nodes) == width
    leaves = [
        leaf
        for root in nodes
        for kr in root.key_results
        for child in kr.children
        for child_kr in child.key_results
        for leaf in child_kr.children
    ]
    assert len(leaves) == width


def test_a_level_asks_for_its_ids_as_one_array_filter(emma, alice, acme_cycle):
    """``= ANY(array)``, not a semi-join on ``unnest``: its plan does not hang on statistics.

    On a table not yet analyzed the semi-join was planned as one row against
    every id — seconds for a 5,000-objective cascade (docs/performance.md).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from okr.tree import ids_in

    _build_levels(acme_cycle, alice.user, levels=3, width=3)
    with CaptureQueriesContext(connection) as queries:
        load_cascade(emma, cycle_roots(emma, acme_cycle), depth=None)

    below = Objective.objects.filter(**ids_in("parent_key_result_id", [1, 2, 3]))
    if connection.vendor == "postgresql":
        assert any("= ANY(" in query["sql"] for query in queries)
        assert not any("unnest" in query["sql"] for query in queries)
        assert "= ANY(" in str(below.query)
    else:
        assert " IN (" in str(below.query)
    parents = list(
        KeyResult.objects.filter(objective__cycle=acme_cycle).values_list("pk", flat=True)
    )
    assert list(Objective.objects.filter(**ids_in("parent_key_result_id", parents))) == list(
        Objective.objects.filter(parent_key_result__in=parents)
    )


def test_building_a_level_query_costs_the_same_for_ten_ids_or_ten_thousand():
    """Django walks a list given to a lookup item by item; the ids go as one array instead."""
    import cProfile
    import pstats

    from django.db import connection

    from okr.tree import ids_in

    def python_calls(count: int) -> int:
        profile = cProfile.Profile()
        profile.enable()
        str(Objective.objects.filter(**ids_in("parent_key_result_id", range(1, count + 1))).query)
        profile.disable()
        return pstats.Stats(profile).total_calls

    small, large = python_calls(10), python_calls(10_000)
    if connection.vendor == "postgresql":
        assert large - small < 100, (small, large)
    else:  # SQLite takes a plain IN list: a placeholder per id
        assert large > small


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 1, 9, 30, 0, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC),
        datetime.datetime(2099, 2, 28, 12, 0, 0, 500000, tzinfo=datetime.UTC),
    ],
)
def test_an_instant_read_as_epoch_seconds_comes_back_to_the_microsecond(acme_cycle, moment):
    key_result = KeyResultFactory(objective=ObjectiveFactory(cycle=acme_cycle))
    KeyResult.objects.filter(pk=key_result.pk).update(last_check_in_at=moment)
    row = KeyResult.objects.filter(pk=key_result.pk).values(epoch=EpochSeconds("last_check_in_at"))[
        0
    ]
    assert isinstance(row["epoch"], float)
    assert datetime.datetime.fromtimestamp(row["epoch"], datetime.UTC) == moment
    KeyResult.objects.filter(pk=key_result.pk).update(last_check_in_at=None)
    assert (
        KeyResult.objects.filter(pk=key_result.pk).values_list(
            EpochSeconds("last_check_in_at"), flat=True
        )[0]
        is None
    )


def test_level_ids_are_written_into_the_statement_as_integers_only():
    from okr.tree import IdArray

    assert IdArray([3, "4", True]).literal == "{3,4,1}"
    with pytest.raises(ValueError):
        IdArray(["1}'::bigint[]); DROP TABLE okr_objective; --"])


@pytest.mark.services
def test_an_unchanged_cascade_read_again_runs_the_statements_prepared_before(
    emma, alice, acme_cycle
):
    """The same ids give the same statement text, so PostgreSQL keeps each level's plan."""
    from django.db import connection

    _build_levels(acme_cycle, alice.user, levels=3, width=3)
    for _ in range(6):  # prepared from the fifth run on (okr/settings.py)
        load_cascade(emma, cycle_roots(emma, acme_cycle), depth=None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%= ANY('{%}'::bigint[])%"],
        )
        prepared = [row[0] for row in cursor.fetchall()]

    assert len(prepared) >= 4  # key results and objectives of the levels below the roots
