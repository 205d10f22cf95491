"""Pace, status and forecast (docs/pace-and-grades.md): the thresholds at their boundaries and
the forecast against least squares computed by hand with exact fractions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from okr.models import Cycle, CycleStatus, KeyResult, Metric, ProgressSource
from okr.pace import (
    Status,
    cycle_end_instant,
    expected_progress,
    forecast,
    gap,
    pace_date,
    status_for,
)

START = datetime.date(2027, 1, 1)
END = datetime.date(2027, 1, 11)  # ten days: day n is n × 10 % of the way
UTC = datetime.UTC
PARIS = ZoneInfo("Europe/Paris")


def cycle(status: str = CycleStatus.ACTIVE, start=START, end=END) -> Cycle:
    return Cycle(name="Q1", start_date=start, end_date=end, status=status)


def day(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def key_result(**fields) -> KeyResult:
    values = {
        "metric": Metric.NUMBER,
        "progress_source": ProgressSource.MEASURED,
        "start_value": Decimal(0),
        "target_value": Decimal(100),
    }
    values.update(fields)
    return KeyResult(**values)


class TestExpectedProgress:
    def test_it_is_zero_on_the_first_day_and_before(self):
        assert expected_progress(cycle(), day(0)) == 0
        assert expected_progress(cycle(), day(-5)) == 0

    def test_it_is_a_hundred_on_the_last_day_and_after(self):
        assert expected_progress(cycle(), END) == 100
        assert expected_progress(cycle(), END + datetime.timedelta(days=40)) == 100

    def test_it_grows_with_the_days_exactly(self):
        # 3/10 × 100 in floating point is 30.000000000000004; pace says 30.
        assert expected_progress(cycle(), day(3)) == 30
        thirds = cycle(end=START + datetime.timedelta(days=3))
        assert expected_progress(thirds, day(1)) == float(Fraction(100, 3))

    def test_it_reads_a_closed_cycle_at_its_end_date(self):
        closed = cycle(CycleStatus.CLOSED)
        assert pace_date(closed, day(3)) == END
        assert expected_progress(closed, day(3)) == 100
        assert expected_progress(closed, END + datetime.timedelta(days=100)) == 100


class TestStatus:
    def test_it_is_on_track_at_a_gap_of_exactly_minus_ten(self):
        assert gap(20, cycle(), day(3)) == -10
        assert status_for(20, cycle(), day(3)) == Status.ON_TRACK

    def test_it_is_at_risk_just_below_minus_ten(self):
        assert status_for(19.99, cycle(), day(3)) == Status.AT_RISK

    def test_it_is_at_risk_at_a_gap_of_exactly_minus_twenty_five(self):
        assert status_for(25, cycle(), day(5)) == Status.AT_RISK

    def test_it_is_off_track_just_below_minus_twenty_five(self):
        assert status_for(24.99, cycle(), day(5)) == Status.OFF_TRACK

    def test_it_is_on_track_when_ahead(self):
        assert status_for(90, cycle(), day(5)) == Status.ON_TRACK

    def test_it_is_done_at_a_hundred_whatever_the_cycle(self):
        for status in CycleStatus.values:
            assert status_for(100, cycle(status), day(-3)) == Status.DONE
        assert status_for(99.99, cycle(), day(5)) == Status.ON_TRACK

    def test_it_takes_floating_point_dust_below_a_hundred_as_done(self):
        # What a weighted mean of two finished key results (weights 0.1 and 0.2) gives.
        dusty = (0.1 * 100 + 0.2 * 100) / (0.1 + 0.2)
        assert dusty < 100
        assert status_for(dusty, cycle(), day(5)) == Status.DONE

    def test_it_is_not_started_in_a_planning_cycle(self):
        assert status_for(0, cycle(CycleStatus.PLANNING), day(9)) == Status.NOT_STARTED
        assert status_for(50, cycle(CycleStatus.PLANNING), day(-1)) == Status.NOT_STARTED

    def test_it_is_not_started_before_the_first_day(self):
        assert status_for(0, cycle(), day(-1)) == Status.NOT_STARTED

    def test_it_is_on_track_with_nothing_done_on_the_first_day(self):
        assert status_for(0, cycle(), day(0)) == Status.ON_TRACK

    def test_it_judges_the_last_day_against_a_full_pace(self):
        assert status_for(90, cycle(), END) == Status.ON_TRACK
        assert status_for(89, cycle(), END) == Status.AT_RISK
        assert status_for(75, cycle(), END) == Status.AT_RISK
        assert status_for(74, cycle(), END) == Status.OFF_TRACK

    def test_it_judges_a_closed_cycle_as_of_its_end_date(self):
        closed = cycle(CycleStatus.CLOSED)
        # Read on day 3 (or long after): the pace is the full 100, not 30.
        assert status_for(80, closed, day(3)) == Status.AT_RISK
        assert status_for(70, closed, END + datetime.timedelta(days=300)) == Status.OFF_TRACK
        assert status_for(100, closed, day(3)) == Status.DONE


def at(n: int, hour: int = 12, tz=UTC) -> datetime.datetime:
    return datetime.datetime.combine(day(n), datetime.time(hour), tzinfo=tz)


def least_squares_at(points: list[tuple[datetime.datetime, Decimal]], when) -> Fraction:
    """The oracle: the least-squares line through the points, in exact fractions."""
    xs = [Fraction(int((moment - when).total_seconds() * 1_000_000)) for moment, _ in points]
    ys = [Fraction(value) for _, value in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return mean_y + slope * (0 - mean_x)


class TestForecast:
    def test_it_extends_a_straight_line_to_the_end_of_the_last_day(self):
        # 10 a day from day 0 noon: the end of 11 January is 10.5 days after the first.
        points = [(at(0), Decimal(0)), (at(2), Decimal(20))]
        result = forecast(points, cycle(), UTC, key_result())
        assert result.at == datetime.datetime(2027, 1, 12, tzinfo=UTC)
        assert result.value == Decimal("105.000000")
        assert result.progress == 100  # clamped by the progress rule

    def test_it_matches_least_squares_computed_by_hand(self):
        points = [
            (at(0, 9), Decimal(10)),
            (at(1, 18), Decimal(14)),
            (at(3, 7), Decimal("13.5")),
            (at(4, 12), Decimal(22)),
            (at(6, 23), Decimal(25)),
        ]
        result = forecast(points, cycle(), UTC, key_result(start_value=Decimal(10)))
        expected = least_squares_at(points, cycle_end_instant(cycle(), UTC))
        assert abs(Fraction(result.value) - expected) <= Fraction(1, 2_000_000)
        assert result.progress == pytest.approx(float((Fraction(result.value) - 10) / 90 * 100))

    def test_it_reads_the_line_in_the_organizations_time_zone(self):
        # The end of 11 January in Paris is 23:00 UTC, an hour before the end in UTC.
        points = [(at(0), Decimal(0)), (at(1), Decimal(24))]  # 1 per hour
        in_paris = forecast(points, cycle(), PARIS, key_result(target_value=Decimal(1000)))
        in_utc = forecast(points, cycle(), UTC, key_result(target_value=Decimal(1000)))
        assert in_utc.value - in_paris.value == Decimal(1)
        assert in_paris.progress == float(in_paris.value) / 10

    def test_it_fits_a_decreasing_key_result(self):
        points = [(at(0), Decimal(800)), (at(5), Decimal(550))]
        result = forecast(points, cycle(), UTC, key_result(start_value=800, target_value=200))
        # 50 a day down for 10.5 days: 275, i.e. (800 − 275) / 600 of the way.
        assert result.value == Decimal("275.000000")
        assert result.progress == pytest.approx(87.5)

    def test_it_needs_two_distinct_instants(self):
        assert forecast([(at(1), Decimal(5))], cycle(), UTC, key_result()) is None
        same_instant = [(at(1), Decimal(5)), (at(1), Decimal(7))]
        assert forecast(same_instant, cycle(), UTC, key_result()) is None
        assert forecast([], cycle(), UTC, key_result()) is None

    def test_it_counts_every_check_in_at_a_shared_instant(self):
        points = [(at(0), Decimal(0)), (at(0), Decimal(10)), (at(1), Decimal(15))]
        result = forecast(points, cycle(), UTC, key_result(target_value=Decimal(1000)))
        expected = least_squares_at(points, cycle_end_instant(cycle(), UTC))
        assert Fraction(result.value) == expected  # 5 + 10 × 11 = 115

    def test_it_ignores_check_ins_outside_the_cycles_dates(self):
        before = datetime.datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # still 2026 in UTC
        after = datetime.datetime(2027, 1, 12, 0, 30, tzinfo=UTC)
        points = [(before, Decimal(90)), (at(0), Decimal(0)), (at(1), Decimal(10)), (after, 0)]
        result = forecast(points, cycle(), UTC, key_result())
        assert result.value == Decimal("105.000000")

    def test_it_decides_inside_or_outside_by_the_local_date(self):
        # 23:30 UTC on 31 December is already 1 January in Paris.
        new_year_in_paris = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
        points = [(new_year_in_paris, Decimal(0)), (at(1), Decimal(10))]
        assert forecast(points, cycle(), PARIS, key_result()) is not None
        assert forecast(points, cycle(), UTC, key_result()) is None

    def test_it_gives_none_for_milestones_and_aligned_key_results(self):
        points = [(at(0), Decimal(0)), (at(2), Decimal(1))]
        milestone = key_result(metric=Metric.MILESTONE, target_value=Decimal(1))
        aligned = key_result(progress_source=ProgressSource.ALIGNED)
        assert forecast(points, cycle(), UTC, milestone) is None
        assert forecast(points, cycle(), UTC, aligned) is None

    def test_it_takes_check_in_rows_too(self):
        class Row:
            def __init__(self, created_at, value):
                self.created_at, self.value = created_at, value

        rows = [Row(at(0), Decimal(0)), Row(at(2), Decimal(20))]
        assert forecast(rows, cycle(), UTC, key_result()).value == Decimal(105)

    def test_its_trend_draws_the_line_anywhere(self):
        points = [(at(0), Decimal(0)), (at(2), Decimal(20))]
        trend = forecast(points, cycle(), UTC, key_result()).trend
        assert trend.value_at(at(1)) == Decimal(10)
        assert trend.value_at(at(0)) == Decimal(0)
