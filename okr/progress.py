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


def _recompute_objective(objective_id: int) -> tuple[float, int | None] | None:
    """Recompute one objective from its key results; return (progress, parent_key_result_id)."""
    row = (
        Objective.objects.filter(pk=objective_id)
        .values_list("progress", "parent_key_result_id")
        .first()
    )
    if row is None:
        return None
    old, parent_key_result_id = row
    new = objective_progress(
        KeyResult.objects.filter(objective_id=objective_id).values_list("weight", "progress")
    )
    if new != old:
        Objective.objects.filter(pk=objective_id).update(progress=new)
    return new, parent_key_result_id


def _recompute_key_result(key_result_id: int) -> int | None:
    """Recompute one key result from what it reads; return its objective's id."""
    key_result = (
        KeyResult.objects.filter(pk=key_result_id)
        .only(
            "objective_id",
            "progress",
            "progress_source",
            "start_value",
            "target_value",
            "current_value",
        )
        .first()
    )
    if key_result is None:
        return None
    if key_result.progress_source == ProgressSource.ALIGNED:
        new = aligned_progress(
            Objective.objects.filter(parent_key_result_id=key_result_id).values_list(
                "progress", flat=True
            )
        )
    else:
        new = key_result_own_progress(key_result)
    if new != key_result.progress:
        KeyResult.objects.filter(pk=key_result_id).update(progress=new)
    return key_result.objective_id


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
    supporting objectives changed). From there each step goes one level up:
    objective → the key result it supports → that key result's objective …
    The walk stops at the root or at a node already visited. A measured key
    result on the way (its progress does not depend on the objectives below it)
    is recomputed from its own values — a cheap repair — and the walk goes on.
    """
    report = RollUpReport()
    with transaction.atomic():
        _lock_organization(organization_id)
        organization_changed(organization_id)  # the tree's ETag moves once this commits
        pending: list[tuple[str, int]] = [("kr", pk) for pk in key_result_ids]
        pending += [("objective", pk) for pk in objective_ids]
        for kind, pk in pending:
            visited: set[tuple[str, int]] = set()
            while pk is not None and (kind, pk) not in visited:
                visited.add((kind, pk))
                if kind == "objective":
                    result = _recompute_objective(pk)
                    report.objectives += 1
                    if result is None:
                        break
                    kind, pk = "kr", result[1]
                else:
                    objective_id = _recompute_key_result(pk)
                    report.key_results += 1
                    kind, pk = "objective", objective_id
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
