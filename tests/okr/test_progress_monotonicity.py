"""The progress rules against the exact oracle, and the monotonicity people rely on:
more done never shows as less progress (docs/progress.md)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from okr.progress import aligned_progress, measured_progress, objective_progress
from tests.okr.progress_oracle import mean, measured, weighted_mean

FEW = settings(max_examples=60, deadline=None)
NUMBERS = st.decimals(
    min_value=Decimal(-(10**6)), max_value=Decimal(10**6), places=6, allow_nan=False
)
PROGRESS = st.floats(min_value=0, max_value=100, allow_nan=False)
WEIGHTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2)
TOLERANCE = Fraction(1, 10**9)


@FEW
@given(start=NUMBERS, target=NUMBERS, current=NUMBERS)
def test_measured_progress_matches_the_exact_rule(start, target, current):
    result = measured_progress(start=start, target=target, current=current)
    assert abs(Fraction(result) - measured(start, target, current)) <= TOLERANCE


@FEW
@given(pairs=st.lists(st.tuples(WEIGHTS, PROGRESS), max_size=8))
def test_objective_progress_matches_the_exact_weighted_mean(pairs):
    exact = weighted_mean([(Fraction(w), Fraction(p)) for w, p in pairs])
    assert abs(Fraction(objective_progress(pairs)) - exact) <= TOLERANCE


@FEW
@given(values=st.lists(PROGRESS, max_size=8))
def test_aligned_progress_matches_the_exact_mean(values):
    exact = mean([Fraction(value) for value in values])
    assert abs(Fraction(aligned_progress(values)) - exact) <= TOLERANCE


@FEW
@given(start=NUMBERS, target=NUMBERS, low=NUMBERS, high=NUMBERS)
def test_a_value_closer_to_the_target_never_shows_less_progress(start, target, low, high):
    low, high = sorted((low, high))
    before = measured_progress(start=start, target=target, current=low)
    after = measured_progress(start=start, target=target, current=high)
    if target > start:  # increase to: a higher value is never less progress
        assert before <= after
    elif target < start:  # decrease to: a lower value is never less progress
        assert before >= after


@FEW
@given(
    pairs=st.lists(st.tuples(WEIGHTS, PROGRESS), min_size=1, max_size=8),
    index=st.integers(min_value=0),
    gain=st.floats(min_value=0, max_value=100),
)
def test_more_progress_on_a_key_result_never_lowers_its_objective(pairs, index, gain):
    index %= len(pairs)
    weight, progress = pairs[index]
    better = [*pairs]
    better[index] = (weight, min(progress + gain, 100.0))
    assert objective_progress(better) >= objective_progress(pairs) - 1e-9


@FEW
@given(
    values=st.lists(PROGRESS, min_size=1, max_size=8),
    index=st.integers(min_value=0),
    gain=st.floats(min_value=0, max_value=100),
)
def test_more_progress_below_never_lowers_an_aligned_key_result(values, index, gain):
    index %= len(values)
    better = [*values]
    better[index] = min(values[index] + gain, 100.0)
    assert aligned_progress(better) >= aligned_progress(values) - 1e-9


@FEW
@given(pairs=st.lists(st.tuples(WEIGHTS, PROGRESS), max_size=8))
def test_progress_stays_between_0_and_100(pairs):
    assert 0 <= objective_progress(pairs) <= 100
    assert 0 <= aligned_progress([progress for _, progress in pairs]) <= 100
