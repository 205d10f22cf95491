"""An oracle for progress, written apart from ``okr/progress.py``: exact ``Fraction``
arithmetic straight from the rules in docs/progress.md, reading the rows itself.

It shares no code with the module it checks, so a wrong rule there cannot make
the oracle agree by calling it.
"""

from __future__ import annotations

from fractions import Fraction

from okr.models import KeyResult, Objective

HUNDRED = Fraction(100)


def clamp(value: Fraction) -> Fraction:
    return min(max(value, Fraction(0)), Fraction(1))


def measured(start, target, current) -> Fraction:
    """clamp((current − start) / (target − start), 0, 1) × 100, exactly."""
    start, target, current = Fraction(start), Fraction(target), Fraction(current)
    if target == start:
        return Fraction(0)
    return clamp((current - start) / (target - start)) * HUNDRED


def weighted_mean(pairs: list[tuple[Fraction, Fraction]]) -> Fraction:
    total = sum((weight for weight, _ in pairs), Fraction(0))
    if not pairs or total <= 0:
        return Fraction(0)
    return sum((weight * value for weight, value in pairs), Fraction(0)) / total


def mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values) if values else Fraction(0)


def exact_progress(organization_id: int) -> tuple[dict[int, Fraction], dict[int, Fraction]]:
    """Every objective's and key result's progress in the organization, from the leaves up."""
    objectives = dict(
        Objective.objects.filter(organization_id=organization_id).values_list(
            "pk", "parent_key_result_id"
        )
    )
    rows = list(
        KeyResult.objects.filter(organization_id=organization_id).values(
            "pk", "objective_id", "progress_source", "start_value", "target_value",
            "current_value", "weight",
        )
    )  # fmt: skip
    key_results_of: dict[int, list[dict]] = {pk: [] for pk in objectives}
    for row in rows:
        key_results_of[row["objective_id"]].append(row)
    supporters_of: dict[int, list[int]] = {}
    for pk, parent_id in objectives.items():
        if parent_id is not None:
            supporters_of.setdefault(parent_id, []).append(pk)

    objective_progress: dict[int, Fraction] = {}
    key_result_progress: dict[int, Fraction] = {}

    def of_key_result(row: dict) -> Fraction:
        if row["pk"] not in key_result_progress:
            if row["progress_source"] == "aligned":
                value = mean([of_objective(pk) for pk in supporters_of.get(row["pk"], [])])
            else:
                value = measured(row["start_value"], row["target_value"], row["current_value"])
            key_result_progress[row["pk"]] = value
        return key_result_progress[row["pk"]]

    def of_objective(pk: int) -> Fraction:
        if pk not in objective_progress:
            pairs = [(Fraction(row["weight"]), of_key_result(row)) for row in key_results_of[pk]]
            objective_progress[pk] = weighted_mean(pairs)
        return objective_progress[pk]

    for pk in objectives:
        of_objective(pk)
    for row in rows:
        of_key_result(row)
    return objective_progress, key_result_progress


def assert_close(cached: dict[int, float], exact: dict[int, Fraction]) -> None:
    """The stored doubles equal the exact values up to floating-point rounding."""
    assert cached.keys() == exact.keys()
    for pk, value in cached.items():
        assert abs(Fraction(value) - exact[pk]) <= Fraction(1, 10**9), (pk, value, float(exact[pk]))
