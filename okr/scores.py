"""Scores and bands: how a cycle ends, as pure functions (docs/pace-and-grades.md).

A key result's **score** is its grade when someone graded it, else its progress
divided by 100; an objective's is the weighted mean of its key results' scores.
Scores are decimals with 2 places, rounded half up. The **band** reads a score:
below 0.4 missed, 0.4 up to 0.7 progress, 0.7 and above delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db import models

SCORE_PLACES = Decimal("0.01")
PROGRESS_BAND = Decimal("0.4")
DELIVERED_BAND = Decimal("0.7")


class Band(models.TextChoices):
    MISSED = "missed", "Missed"
    PROGRESS = "progress", "Progress"
    DELIVERED = "delivered", "Delivered"


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def key_result_score(*, grade: Decimal | None, progress: float) -> Decimal:
    """The grade when set, else ``progress / 100``; 2 decimals.

    Progress (a double) is read as the shortest decimal that names it, so 12.345
    scores 0.12 and 12.5 scores 0.13 (half up), as a person would round them.
    """
    if grade is not None:
        return _two_places(Decimal(grade))
    return _two_places(Decimal(repr(float(progress))) / 100)


def objective_score(key_results: Iterable[tuple[Decimal | float, Decimal]]) -> Decimal:
    """``Σ weightᵢ · scoreᵢ / Σ weightᵢ`` over ``(weight, score)`` pairs; 0 with none; 2 decimals.

    Each ``scoreᵢ`` is a key result's score as answered (already 2 decimals).
    """
    # A weight read from the database is a Decimal already; a float is read as the
    # shortest decimal that names it.
    pairs = [
        (weight if isinstance(weight, Decimal) else Decimal(str(weight)), Decimal(score))
        for weight, score in key_results
    ]
    if not pairs:
        return Decimal("0.00")
    with localcontext() as context:
        context.prec = 50
        total_weight = sum(weight for weight, _ in pairs)
        if total_weight <= 0:
            return Decimal("0.00")
        weighted = sum(weight * score for weight, score in pairs)
        return _two_places(weighted / total_weight)


def band(score: Decimal | float) -> str:
    """``missed`` below 0.4, ``progress`` from 0.4 to below 0.7, ``delivered`` from 0.7."""
    score = _two_places(Decimal(str(score)))
    if score < PROGRESS_BAND:
        return Band.MISSED
    if score < DELIVERED_BAND:
        return Band.PROGRESS
    return Band.DELIVERED


def parse_grade(value) -> Decimal | None:
    """A grade as stored, or None; raises ``ValueError`` with the reason when it is not one.

    A grade is a number from 0 to 1 in steps of 0.01 (0.5 and 0.50 are the same grade).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("A grade is a number from 0 to 1.")
    try:
        grade = Decimal(str(value))
    except ArithmeticError:
        raise ValueError("A grade is a number from 0 to 1.") from None
    if not grade.is_finite() or not 0 <= grade <= 1:
        raise ValueError("A grade is a number from 0 to 1.")
    if grade != grade.quantize(SCORE_PLACES):
        raise ValueError("A grade goes in steps of 0.01.")
    return grade.quantize(SCORE_PLACES)
