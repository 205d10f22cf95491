"""The API tree written from rows answers what the serializers answer, at any depth, and
answers ``304`` to a client whose ``ETag`` is still current (docs/performance.md)."""

from __future__ import annotations

import datetime
import json
import sys
from contextlib import contextmanager

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts.models import Membership, Role
from okr.api import serializers
from okr.api.tree import tree_json
from okr.cycle_health import PaceReader
from okr.demo import seed_demo
from okr.models import CheckIn, KeyResult, Level, Objective, Visibility
from okr.progress import roll_up, rounded
from okr.services import membership_update, objective_update
from okr.tree import ObjectiveNode, cycle_roots, load_cascade
from okr.versions import organization_changed
from tests.api.conftest import org_url
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def serializer_tree(membership: Membership, cycle) -> dict:
    """The oracle: the tree as the serializers render it, node by node (the old view)."""
    nodes = load_cascade(membership, cycle_roots(membership, cycle), depth=None, with_people=False)
    pace = PaceReader(membership.organization)
    pace.remember_cycle(cycle)
    key_results = []
    pending = list(nodes)
    while pending:
        node = pending.pop()
        if node.is_visible:
            pace.remember_key_results(
                node.objective, [child.key_result for child in node.key_results]
            )
        for child in node.key_results:
            child.key_result.pace_cycle_id = node.objective.cycle_id
            key_results.append(child.key_result)
            pending.extend(child.children or [])
    pace.load_forecasts(key_results)
    context = {"membership": membership, "pace": pace}
    objective_fields = serializers.ObjectiveSerializer(context=context)
    key_result_fields = serializers.KeyResultSerializer(context=context)

    def as_json(node: ObjectiveNode) -> dict:
        if not node.is_visible:
            return {"private": True, "progress": rounded(node.objective.progress)}
        return {
            **objective_fields.to_representation(node.objective),
            "key_results": [
                {
                    **key_result_fields.to_representation(child.key_result),
                    "children": [as_json(objective) for objective in child.children or []],
                }
                for child in node.key_results
            ],
        }

    body = {"cycle": cycle.pk, "objectives": [as_json(node) for node in nodes]}
    return json.loads(JSONRenderer().render(body))


@contextmanager
def deep_json():
    """Python's own parser recurses once per nested container; a deep cascade needs room."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize(("seed", "objectives"), [(3, 40), (11, 90)])
def test_it_answers_what_the_serializers_answer(client_for, seed, objectives):
    report = seed_demo(slug=f"random-{seed}", objectives=objectives, seed=seed, teams=7)
    organization = report.organization
    # Vary what the demo leaves uniform: no confidence, no check-in yet, odd weights.
    key_results = list(KeyResult.objects.filter(organization=organization).order_by("pk"))
    for i, key_result in enumerate(key_results[::5]):
        key_result.confidence = None
        key_result.last_check_in_at = None
        key_result.weight = f"{i % 4 + 1}.25"
        key_result.grade = f"0.{i % 10}5" if i % 3 else None
        key_result.grade_note = "Close, but not there" if i % 3 else ""
        key_result.rolled_over_from = key_results[i] if i % 2 else None
        key_result.save(
            update_fields=[
                "confidence",
                "last_check_in_at",
                "weight",
                "grade",
                "grade_note",
                "rolled_over_from",
            ]
        )
    objectives = list(Objective.objects.filter(organization=organization).order_by("pk"))
    for earlier, objective in zip(objectives, objectives[7::7], strict=False):
        Objective.objects.filter(pk=objective.pk).update(rolled_over_from=earlier)
    admin = Membership.objects.filter(organization=organization, role=Role.ADMIN).first()
    private_owners = set(
        Objective.objects.filter(
            organization=organization, visibility=Visibility.PRIVATE
        ).values_list("owner_id", flat=True)
    )
    member = (
        Membership.objects.filter(organization=organization, role=Role.MEMBER)
        .exclude(user_id__in=private_owners)
        .first()
    )
    assert private_owners, "the demo should hold private objectives"

    private_nodes = 0
    for viewer in (admin, member):
        client = client_for(viewer)
        for cycle in organization.cycles.all():
            response = client.get(org_url(organization.slug, f"tree/?cycle={cycle.pk}"))
            assert response.status_code == 200
            assert response["Content-Type"] == "application/json"
            assert json.loads(response.content) == serializer_tree(viewer, cycle)
            if viewer == member:
                private_nodes += response.content.count(b'"private":true')
    assert private_nodes, "the member should meet private objectives they may not see"


def test_it_answers_a_cascade_a_thousand_levels_deep(client, client_for, alice, acme, acme_cycle):
    depth = 1000
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=acme,
            cycle=acme_cycle,
            title=f"Level {i}",
            level=Level.COMPANY,
            owner=alice.user,
        )
        for i in range(depth)
    )
    key_results = KeyResult.objects.bulk_create(
        KeyResult(
            organization=acme,
            objective=objective,
            title=f"KR {i}",
            owner=alice.user,
            target_value=10,
            progress_source="aligned" if i < depth - 1 else "measured",
        )
        for i, objective in enumerate(objectives)
    )
    for objective, parent in zip(objectives[1:], key_results, strict=False):
        objective.parent_key_result = parent
    Objective.objects.bulk_update(objectives[1:], ["parent_key_result"], batch_size=500)

    response = client_for(alice).get(org_url("acme", f"tree/?cycle={acme_cycle.pk}"))

    assert response.status_code == 200
    with deep_json():
        node = json.loads(response.content)["objectives"][0]
    titles = []
    while True:  # walk down without recursion
        titles.append(node["title"])
        children = node["key_results"][0]["children"]
        if not children:
            break
        node = children[0]
    assert titles == [f"Level {i}" for i in range(depth)]

    client.force_login(alice.user)
    page = client.get(f"/o/acme/tree/?cycle={acme_cycle.pk}")
    assert page.status_code == 200
    assert "Level 0" in page.content.decode()
    branch = client.get(f"/o/acme/tree/key-results/{key_results[depth - 2].pk}/")
    assert branch.status_code == 200
    assert f"Level {depth - 1}" in branch.content.decode()
    deepest = client.get(f"/o/acme/objectives/{objectives[-1].pk}/")
    assert deepest.status_code == 200


def test_it_answers_304_while_nothing_changed(
    client_for, alice, emma, acme_cycle, company_key_result, django_assert_max_num_queries
):
    client = client_for(emma)
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")
    first = client.get(url)
    etag = first["ETag"]

    with django_assert_max_num_queries(4):  # token, membership, cycle: no tree at all
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert "no-cache" in first["Cache-Control"]


def test_it_gives_a_new_etag_after_a_check_in_and_its_roll_up(
    client_for,
    alice,
    emma,
    acme_cycle,
    company_objective,
    company_key_result,
    django_capture_on_commit_callbacks,
):
    KeyResult.objects.filter(pk=company_key_result.pk).update(progress_source="aligned")
    personal = ObjectiveFactory(
        cycle=acme_cycle,
        owner=emma.user,
        level=Level.PERSONAL,
        title="Emma's",
        parent_key_result=company_key_result,
    )
    measured = KeyResultFactory(objective=personal, owner=emma.user, target_value=10)
    client = client_for(emma)
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")
    etag = client.get(url)["ETag"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            org_url("acme", f"key-results/{measured.pk}/check-ins/"),
            {"value": 5, "confidence": "on_track"},
            format="json",
        )
    assert response.status_code == 201
    assert len(callbacks) >= 2  # the check-in's version bump, then its roll-up (eager)

    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert json.loads(fresh.content)["objectives"][0]["progress"] == 50.0
    assert client.get(url, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304


def test_a_roll_up_alone_moves_the_etag(
    client_for, emma, acme, acme_cycle, company_objective, django_capture_on_commit_callbacks
):
    client = client_for(emma)
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")
    etag = client.get(url)["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        roll_up(organization_id=acme.pk, objective_ids=[company_objective.pk])

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_change_of_role_moves_the_etag(
    client_for, alice, emma, acme_cycle, company_objective, django_capture_on_commit_callbacks
):
    """What a member may see depends on their role and teams: those writes count too."""
    client = client_for(emma)
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")
    etag = client.get(url)["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        membership_update(actor=alice, membership=emma, role=Role.MANAGER)

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_each_member_gets_their_own_etag(client_for, alice, emma, acme_cycle, company_objective):
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")
    etag = client_for(alice).get(url)["ETag"]

    assert client_for(emma).get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_it_answers_in_full_without_an_etag_when_the_cache_is_down(
    client_for, emma, acme_cycle, company_objective
):
    client = client_for(emma)

    response = client.get(org_url("acme", f"tree/?cycle={acme_cycle.pk}"))

    assert response.status_code == 200
    assert "ETag" not in response
    assert json.loads(response.content)["objectives"][0]["id"] == company_objective.pk


def test_a_new_check_in_renews_the_kept_forecast(client_for, alice, acme, acme_cycle):
    """Forecasts are kept between requests; a check-in changes what they read, so they follow."""
    objective = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Grow")
    key_result = KeyResultFactory(objective=objective, owner=alice.user, target_value=100)
    start = datetime.datetime.combine(acme_cycle.start_date, datetime.time(12), tzinfo=datetime.UTC)
    for day, value in ((1, 10), (3, 20)):
        CheckIn.objects.create(
            organization=acme,
            key_result=key_result,
            author=alice.user,
            value=value,
            confidence="on_track",
            created_at=start + datetime.timedelta(days=day),
        )
    KeyResult.objects.filter(pk=key_result.pk).update(
        current_value=20, last_check_in_at=start + datetime.timedelta(days=3)
    )
    client = client_for(alice)
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")

    def forecast_value() -> float:
        body = json.loads(client.get(url).content)
        assert body == serializer_tree(alice, acme_cycle)
        return body["objectives"][0]["key_results"][0]["forecast_value"]

    first = forecast_value()
    assert first == forecast_value()  # the kept forecast answers the second time
    CheckIn.objects.create(
        organization=acme,
        key_result=key_result,
        author=alice.user,
        value=90,
        confidence="on_track",
        created_at=start + datetime.timedelta(days=5),
    )
    KeyResult.objects.filter(pk=key_result.pk).update(
        current_value=90, last_check_in_at=start + datetime.timedelta(days=5)
    )
    organization_changed(acme.pk)  # as a check-in through the services does

    assert forecast_value() > first


def test_the_answer_is_kept_until_a_write(
    client_for, alice, acme_cycle, company_objective, django_assert_max_num_queries
):
    """One rendering per version and viewer: the next request reads it from the cache."""
    client = client_for(alice)
    url = org_url("acme", f"tree/?cycle={acme_cycle.pk}")
    first = client.get(url)

    with django_assert_max_num_queries(4):  # token, membership, cycle: no rows
        again = client.get(url)

    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] == first["ETag"]
    objective_update(actor=alice, objective=company_objective, title="Delight every customer")
    renamed = json.loads(client.get(url).content)
    assert renamed["objectives"][0]["title"] == "Delight every customer"


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Asia/Kolkata"])
def test_last_check_in_instants_read_as_the_serializers_write_them(alice, acme_cycle, zone):
    """Whole seconds and microseconds, a zero offset ("Z") and another one, as DRF answers."""
    objective = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Grow")
    moments = [
        datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 2, 9, 30, 0, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    ]
    for moment in moments:
        key_result = KeyResultFactory(objective=objective, owner=alice.user)
        KeyResult.objects.filter(pk=key_result.pk).update(last_check_in_at=moment)
    with timezone.override(zone):
        body = json.loads(tree_json(alice, acme_cycle))
        assert body == serializer_tree(alice, acme_cycle)
    answered = [kr["last_check_in_at"] for kr in body["objectives"][0]["key_results"]]
    assert len(set(answered)) == 3


def test_the_collector_waits_while_the_answer_is_built(
    alice, acme_cycle, company_objective, monkeypatch
):
    """It would only walk nodes that all live until the answer is written (docs/performance.md)."""
    import gc

    from okr.api import tree

    enabled = []

    def watched(function):
        def call(*args, **kwargs):
            enabled.append(gc.isenabled())
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(tree, "load_cascade_rows", watched(tree.load_cascade_rows))
    monkeypatch.setattr(tree.TreeWriter, "render", watched(tree.TreeWriter.render))

    assert json.loads(tree_json(alice, acme_cycle))["objectives"]
    assert enabled == [False, False]  # loading the rows, writing the answer
    assert gc.isenabled()  # and on again after
