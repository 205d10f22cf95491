"""Scores and bands (docs/pace-and-grades.md), against an oracle in exact fractions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from okr.scores import Band, band, key_result_score, objective_score, parse_grade


def half_up(value: Fraction) -> Fraction:
    """The oracle's rounding to 2 decimals, half away from zero (scores are never negative)."""
    hundredths = value * 100
    whole = hundredths.numerator // hundredths.denominator
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole, 100)


class TestKeyResultScore:
    def test_it_is_the_grade_when_one_is_set(self):
        assert key_result_score(grade=Decimal("0.35"), progress=90) == Decimal("0.35")
        assert key_result_score(grade=Decimal("0"), progress=90) == Decimal("0.00")

    def test_it_is_progress_over_a_hundred_otherwise(self):
        assert key_result_score(grade=None, progress=62.5) == Decimal("0.63")  # half up
        assert key_result_score(grade=None, progress=12.345) == Decimal("0.12")
        assert key_result_score(grade=None, progress=100) == Decimal("1.00")
        assert key_result_score(grade=None, progress=0) == Decimal("0.00")
        assert key_result_score(grade=None, progress=100 / 3) == Decimal("0.33")


class TestObjectiveScore:
    def test_it_is_zero_without_key_results(self):
        assert objective_score([]) == Decimal("0.00")

    @pytest.mark.parametrize(
        "pairs",
        [
            [(1, "0.5"), (1, "0.6")],
            [(3, "0.10"), (1, "0.90")],
            [("0.1", "1"), ("0.2", "0.33"), ("2.5", "0.07")],
            [(1, "0.125")],
        ],
    )
    def test_it_is_the_weighted_mean_of_the_scores(self, pairs):
        oracle = half_up(
            sum(Fraction(w) * Fraction(s) for w, s in pairs) / sum(Fraction(w) for w, _ in pairs)
        )
        got = objective_score((Decimal(w), Decimal(s)) for w, s in pairs)
        assert Fraction(got) == oracle

    def test_a_grade_overrides_progress_inside_the_mean(self):
        scores = [
            key_result_score(grade=Decimal("0.9"), progress=10),
            key_result_score(grade=None, progress=50),
        ]
        assert objective_score(zip([1, 1], scores, strict=True)) == Decimal("0.70")


class TestBand:
    @pytest.mark.parametrize(
        ("score", "expected"),
        [
            ("0", Band.MISSED),
            ("0.39", Band.MISSED),
            ("0.4", Band.PROGRESS),
            ("0.69", Band.PROGRESS),
            ("0.7", Band.DELIVERED),
            ("1", Band.DELIVERED),
        ],
    )
    def test_it_reads_the_score_at_the_boundaries(self, score, expected):
        assert band(Decimal(score)) == expected


class TestParseGrade:
    @pytest.mark.parametrize("value", [0, 1, "0.5", 0.07, Decimal("0.70"), 0.99])
    def test_it_takes_steps_of_a_hundredth_from_0_to_1(self, value):
        assert parse_grade(value) == Decimal(str(value)).quantize(Decimal("0.01"))

    def test_it_takes_none_to_clear(self):
        assert parse_grade(None) is None

    @pytest.mark.parametrize(
        "value", [-0.01, 1.01, 2, "0.015", 0.001, True, "abc", "NaN", "Infinity", [0.5]]
    )
    def test_it_refuses_anything_else(self, value):
        with pytest.raises(ValueError):
            parse_grade(value)
