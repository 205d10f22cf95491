"""The progress rules (docs/progress.md) and the roll-up that keeps cached values true.

The rules are pure functions of numbers. The roll-up walks from a changed
node to the root, recomputing each node from its *direct* children only, so
it touches O(depth) rows, never the whole organization. ``recompute_all``
recomputes an organization from the leaves and reports what it corrected.

Progress is a float in [0, 100]. Sums use ``math.fsum`` so that the result
does not depend on the order in which rows come back from the database: the
roll-up and a full recomputation agree to the last bit.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from okr.models import Confidence, KeyResult, Objective, ProgressSource
from okr.versions import organization_changed

logger = logging.getLogger(__name__)


def measured_progress(*, start: Decimal, target: Decimal, current: Decimal) -> float:
    """``clamp((current − start) / (target − start), 0, 1) × 100``.

    A target below the start means "decrease to"; the formula covers it.
    """
    if target == start:  # refused on write; never divide by zero here
        return 0.0
    ratio = (Decimal(current) - Decimal(start)) / (Decimal(target) - Decimal(start))
    return float(min(max(ratio, Decimal(0)), Decimal(1)) * 100)


def aligned_progress(children: Iterable[float]) -> float:
    """The plain mean of the supporting objectives' progress; 0 when there are none."""
    values = list(children)
    if not values:
        return 0.0
    return _clamp(math.fsum(values) / len(values))


def objective_progress(key_results: Iterable[tuple[Decimal | float, float]]) -> float:
    """``Σ weightᵢ · progressᵢ / Σ weightᵢ`` over ``(weight, progress)`` pairs; 0 when empty."""
    pairs = [(float(weight), progress) for weight, progress in key_results]
    total_weight = math.fsum(weight for weight, _ in pairs)
    if not pairs or total_weight <= 0:
        return 0.0
    return _clamp(math.fsum(weight * progress for weight, progress in pairs) / total_weight)


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 100.0)


def rounded(progress: float) -> float:
    """What clients see: the stored value rounded to 2 decimals."""
    return round(progress, 2)


def key_result_own_progress(key_result: KeyResult) -> float | None:
    """The progress of a measured key result from its own values; None for an aligned one."""
    if key_result.progress_source == ProgressSource.ALIGNED:
        return None
    return measured_progress(
        start=key_result.start_value,
        target=key_result.target_value,
        current=key_result.current_value,
    )


# --- The roll-up ------------------------------------------------------------------


def _lock_organization(organization_id: int) -> None:
    """Serialize roll-ups of one organization.

    Each step reads its children's committed values and writes its own; two jobs
    interleaving could write a value computed from a stale read. A transaction-
    scoped advisory lock makes every job see the writes of those before it.
    SQLite serializes writers anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, organization_id])


Node = tuple[str, int]  # ("objective", pk) or ("kr", pk)


@dataclass
class _Ancestry:
    """The nodes from the changed ones up to their roots, as read under the lock."""

    parents: dict[Node, Node | None]
    objective_progress: dict[int, float]  # stored values: only roll-ups write them
    key_results: dict[int, tuple[float, str]]  # stored progress and progress_source


def _ancestry(
    organization_id: int, objective_ids: Iterable[int], key_result_ids: Iterable[int]
) -> _Ancestry:
    """Every node from the given ones up to their roots, with its parent: one query per level.

    A node that no longer exists (deleted meanwhile) is left out, and the walk above
    it stops there, as it would at a root.
    """
    found = _Ancestry(parents={}, objective_progress={}, key_results={})
    parents = found.parents
    objectives, key_results = set(objective_ids), set(key_result_ids)
    while objectives or key_results:
        next_objectives: set[int] = set()
        next_key_results: set[int] = set()
        if objectives:
            rows = (
                Objective.objects.filter(organization_id=organization_id, pk__in=objectives)
                .order_by()
                .values_list("pk", "parent_key_result_id", "progress")
            )
            for pk, parent, value in rows:
                parents[("objective", pk)] = ("kr", parent) if parent else None
                found.objective_progress[pk] = value
                if parent and ("kr", parent) not in parents:
                    next_key_results.add(parent)
        if key_results:
            rows = (
                KeyResult.objects.filter(organization_id=organization_id, pk__in=key_results)
                .order_by()
                .values_list("pk", "objective_id", "progress", "progress_source")
            )
            for pk, objective_id, value, source in rows:
                parents[("kr", pk)] = ("objective", objective_id)
                found.key_results[pk] = (value, source)
                if ("objective", objective_id) not in parents:
                    next_objectives.add(objective_id)
        objectives, key_results = next_objectives, next_key_results
    return found


def _deepest_first(parents: dict[Node, Node | None]) -> list[list[Node]]:
    """The nodes grouped by their distance from their root, the farthest group first.

    A node's children lie one step farther than the node, so recomputing group by
    group reads every child after it was recomputed. (A loop, which the services
    refuse, counts as a root where the walk first meets it.)
    """
    depth: dict[Node, int] = {}
    for node in parents:
        chain: list[Node] = []
        on_chain: set[Node] = set()
        current: Node | None = node
        while current is not None and current in parents and current not in depth:
            if current in on_chain:
                break
            chain.append(current)
            on_chain.add(current)
            current = parents[current]
        base = depth.get(current, -1) if current is not None else -1
        for member in reversed(chain):
            base += 1
            depth[member] = base
    groups: dict[int, list[Node]] = defaultdict(list)
    for node, distance in depth.items():
        groups[distance].append(node)
    return [sorted(groups[distance]) for distance in sorted(groups, reverse=True)]


def _recompute_objectives(objective_ids: list[int], stored: dict[int, float]) -> None:
    """Recompute these objectives from their key results: one read, at most one write."""
    if not objective_ids:
        return
    pairs: dict[int, list[tuple[Decimal, float]]] = defaultdict(list)
    rows = (
        KeyResult.objects.filter(objective_id__in=objective_ids)
        .order_by()  # fsum: the order of the rows does not matter
        .values_list("objective_id", "weight", "progress")
    )
    for objective_id, weight, value in rows:
        pairs[objective_id].append((weight, value))
    changed = {}
    for pk in objective_ids:
        new = objective_progress(pairs[pk])
        if new != stored[pk]:
            changed[pk] = new
            stored[pk] = new
    _write_progress(Objective, changed)


def _recompute_key_results(key_result_ids: list[int], stored: dict[int, tuple[float, str]]) -> None:
    """Recompute these key results from what each reads: one read, at most one write.

    An aligned key result reads the objectives that support it. A measured one on
    the way (its progress does not depend on the objectives below it) is repaired
    from its own values, read fresh: a check-in may have committed since the walk.
    """
    if not key_result_ids:
        return
    aligned = [pk for pk in key_result_ids if stored[pk][1] == ProgressSource.ALIGNED]
    measured = [pk for pk in key_result_ids if stored[pk][1] != ProgressSource.ALIGNED]
    new_values: dict[int, float] = {}
    if aligned:
        children: dict[int, list[float]] = defaultdict(list)
        rows = (
            Objective.objects.filter(parent_key_result_id__in=aligned)
            .order_by()
            .values_list("parent_key_result_id", "progress")
        )
        for parent, value in rows:
            children[parent].append(value)
        for pk in aligned:
            new_values[pk] = aligned_progress(children[pk])
    if measured:
        rows = KeyResult.objects.filter(pk__in=measured).only(
            "progress", "progress_source", "start_value", "target_value", "current_value"
        )
        for key_result in rows:
            new = key_result_own_progress(key_result)
            if new is not None:
                new_values[key_result.pk] = new
                stored[key_result.pk] = (key_result.progress, key_result.progress_source)
    _write_progress(KeyResult, {pk: new for pk, new in new_values.items() if new != stored[pk][0]})


def _write_progress(model: type[Objective] | type[KeyResult], values: dict[int, float]) -> None:
    """Store these rows' progress: one ``UPDATE … FROM unnest(…)`` on PostgreSQL.

    ``bulk_update`` builds a ``CASE WHEN`` expression per row in Python: two thirds
    of a drain's CPU once batches grew to a few dozen nodes (docs/performance.md).
    The values go as float8, exactly as ``bulk_update`` sent them.
    """
    if not values:
        return
    if connection.vendor != "postgresql":
        rows = [model(pk=pk, progress=value) for pk, value in values.items()]
        model.objects.bulk_update(rows, ["progress"], batch_size=500)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET progress = v.progress"
            " FROM unnest(%s::bigint[], %s::double precision[]) AS v(id, progress)"
            " WHERE t.id = v.id",
            [list(values), list(values.values())],
        )


@dataclass
class RollUpReport:
    objectives: int = 0
    key_results: int = 0


def roll_up(
    *,
    organization_id: int,
    objective_ids: Iterable[int] = (),
    key_result_ids: Iterable[int] = (),
) -> RollUpReport:
    """Bring every ancestor of the given nodes up to date, in one transaction.

    ``objective_ids`` start at an objective (its key results changed);
    ``key_result_ids`` start at a key result (its values, its source or its
    supporting objectives changed). The walk collects every node from there up to
    its root — objective → the key result it supports → that key result's
    objective … — then recomputes each node once from its *direct* children, the
    nodes farthest from their root first, a whole group per query. Many changed
    nodes (a coalesced batch of check-ins, ``okr/rollups.py``) share their
    ancestors: the company objective is recomputed once, not once per check-in.
    O(depth) queries, never the whole organization. A measured key result on the
    way is recomputed from its own values — a cheap repair — and the walk goes on.
    """
    report = RollUpReport()
    with transaction.atomic():
        _lock_organization(organization_id)
        organization_changed(organization_id)  # the tree's ETag moves once this commits
        found = _ancestry(organization_id, objective_ids, key_result_ids)
        for group in _deepest_first(found.parents):
            key_results = [pk for kind, pk in group if kind == "kr"]
            objectives = [pk for kind, pk in group if kind == "objective"]
            _recompute_key_results(key_results, found.key_results)
            _recompute_objectives(objectives, found.objective_progress)
            report.key_results += len(key_results)
            report.objectives += len(objectives)
    return report


# --- Full recomputation --------------------------------------------------------------


@dataclass
class ReconcileReport:
    objectives_checked: int = 0
    key_results_checked: int = 0
    objectives_corrected: int = 0
    key_results_corrected: int = 0

    @property
    def corrected(self) -> int:
        return self.objectives_corrected + self.key_results_corrected


def expected_progress(organization_id: int) -> tuple[dict[int, float], dict[int, float]]:
    """Recompute every objective's and key result's progress from the leaves.

    Returns ``(objectives, key_results)``: id → progress. Pure in memory after
    two queries, so tests can compare it with the cached values.
    """
    objectives = {
        pk: parent
        for pk, parent in Objective.objects.filter(organization_id=organization_id).values_list(
            "pk", "parent_key_result_id"
        )
    }
    key_results = {
        row[0]: row
        for row in KeyResult.objects.filter(organization_id=organization_id).values_list(
            "pk",
            "objective_id",
            "weight",
            "progress_source",
            "start_value",
            "target_value",
            "current_value",
        )
    }
    krs_of: dict[int, list[int]] = defaultdict(list)
    for pk, objective_id, *_ in key_results.values():
        krs_of[objective_id].append(pk)
    children_of: dict[int, list[int]] = defaultdict(list)
    for pk, parent in objectives.items():
        if parent is not None:
            children_of[parent].append(pk)

    objective_values: dict[int, float] = {}
    key_result_values: dict[int, float] = {}

    # Iterative post-order walk: the cascade has no depth limit, recursion would.
    # The services refuse loops; ``expanding`` keeps one made by hand (SQL, the
    # admin) from hanging the walk: a node met again while its subtree is open is
    # skipped, and reads as 0 from inside the loop.
    expanding: set[tuple[str, int]] = set()

    def resolve_objective(root: int) -> None:
        stack: list[tuple[str, int, bool]] = [("objective", root, False)]
        while stack:
            kind, pk, expanded = stack.pop()
            if kind == "objective":
                if pk in objective_values:
                    continue
                if not expanded:
                    if ("objective", pk) in expanding:
                        continue
                    expanding.add(("objective", pk))
                    stack.append(("objective", pk, True))
                    stack.extend(("kr", kr, False) for kr in krs_of[pk])
                    continue
                objective_values[pk] = objective_progress(
                    (key_results[kr][2], key_result_values.get(kr, 0.0)) for kr in krs_of[pk]
                )
            else:
                if pk in key_result_values:
                    continue
                _, _, _, source, start, target, current = key_results[pk]
                if source != ProgressSource.ALIGNED:
                    key_result_values[pk] = measured_progress(
                        start=start, target=target, current=current
                    )
                    continue
                if not expanded:
                    if ("kr", pk) in expanding:
                        continue
                    expanding.add(("kr", pk))
                    stack.append(("kr", pk, True))
                    stack.extend(("objective", child, False) for child in children_of[pk])
                    continue
                key_result_values[pk] = aligned_progress(
                    objective_values.get(child, 0.0) for child in children_of[pk]
                )

    for pk in objectives:
        resolve_objective(pk)
    return objective_values, key_result_values


def recompute_all(*, organization_id: int) -> ReconcileReport:
    """Recompute an organization from the leaves and fix every cached value that differs."""
    report = ReconcileReport()
    with transaction.atomic():
        _lock_organization(organization_id)
        expected_objectives, expected_key_results = expected_progress(organization_id)
        cached_objectives = dict(
            Objective.objects.filter(organization_id=organization_id).values_list("pk", "progress")
        )
        cached_key_results = dict(
            KeyResult.objects.filter(organization_id=organization_id).values_list("pk", "progress")
        )
        report.objectives_checked = len(expected_objectives)
        report.key_results_checked = len(expected_key_results)
        stale_key_results = [
            KeyResult(pk=pk, progress=value)
            for pk, value in expected_key_results.items()
            if cached_key_results.get(pk) != value
        ]
        stale_objectives = [
            Objective(pk=pk, progress=value)
            for pk, value in expected_objectives.items()
            if cached_objectives.get(pk) != value
        ]
        # Batched: a fresh import or a badly drifted organization is one UPDATE per 500 rows.
        KeyResult.objects.bulk_update(stale_key_results, ["progress"], batch_size=500)
        Objective.objects.bulk_update(stale_objectives, ["progress"], batch_size=500)
        report.key_results_corrected = len(stale_key_results)
        report.objectives_corrected = len(stale_objectives)
        if report.corrected:
            organization_changed(organization_id)
    if report.corrected:
        logger.warning(
            "progress reconciled",
            extra={"organization_id": organization_id, "corrected": report.corrected},
        )
    return report


def objective_confidence(key_results: Iterable[KeyResult]) -> str | None:
    """An objective's confidence chip: the worst among its key results, None before any."""
    order = [Confidence.OFF_TRACK, Confidence.AT_RISK, Confidence.ON_TRACK]
    seen = {key_result.confidence for key_result in key_results if key_result.confidence}
    for confidence in order:
        if confidence in seen:
            return confidence
    return None
