"""Pace, status and forecast: what the numbers say about a key result or an objective.

Pure functions of a cycle, a date and numbers — no query here. Pages, the API,
e-mails and the cycle summary all read status and forecast through this module,
so the rules live in one place. ``docs/pace-and-grades.md`` states them.

- ``expected_progress``: the progress a steady pace would show by the pace date
  (the organization's local today; a closed cycle's own end date).
- ``status_for``: ``done``, ``not_started``, or on/at/off track from the gap
  between progress and that pace.
- ``forecast``: the least-squares line through a measured key result's
  check-ins, read at the end of the cycle's last day (local time).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any

from django.db import models

from okr.models import Cycle, CycleStatus, KeyResult, Metric, ProgressSource
from okr.progress import measured_progress

# A gap at or above ON_TRACK_GAP is on track; at or above AT_RISK_GAP, at risk; below, off track.
ON_TRACK_GAP = -10
AT_RISK_GAP = -25
# Progress is a double computed from decimals and weighted sums: a value that is 100
# or −10 on paper may come back as 99.99999999999999. Comparisons ignore such dust.
_DUST_PLACES = 9
FORECAST_PLACES = Decimal("0.000001")  # values keep 6 places after the point


class Status(models.TextChoices):
    """What the numbers say, beside the owner's ``confidence`` (what the owner believes)."""

    DONE = "done", "Done"
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


def local_today(organization: Any, at: datetime.datetime | None = None) -> datetime.date:
    """The organization's local date now (or at ``at``), in its time zone."""
    return organization.local_date(at)


def pace_date(cycle: Cycle, today: datetime.date) -> datetime.date:
    """The date pace is measured at: ``today``, or a closed cycle's ``end_date``."""
    return cycle.end_date if cycle.status == CycleStatus.CLOSED else today


def _expected_fraction(cycle: Cycle, today: datetime.date) -> Fraction:
    day = pace_date(cycle, today)
    length = (cycle.end_date - cycle.start_date).days
    if length <= 0:  # refused on write; never divide by zero here
        return Fraction(100)
    elapsed = (day - cycle.start_date).days
    return min(max(Fraction(elapsed, length), Fraction(0)), Fraction(1)) * 100


def expected_progress(cycle: Cycle, today: datetime.date) -> float:
    """``clamp((d − start) / (end − start), 0, 1) × 100``, d being ``pace_date(cycle, today)``.

    Computed exactly (3 days of 10 is 30.0, not 30.000000000000004), unrounded;
    the API answers it rounded to 2 decimals.
    """
    return float(_expected_fraction(cycle, today))


def gap(
    progress: float, cycle: Cycle, today: datetime.date, expected: float | None = None
) -> float:
    """``progress − expected``: how far ahead (positive) or behind (negative) of pace.

    ``expected`` is ``expected_progress(cycle, today)`` when the caller has it already
    (a page or the tree judges thousands of rows of a few cycles).
    """
    if expected is None:
        expected = expected_progress(cycle, today)
    return round(float(progress) - expected, _DUST_PLACES)


def status_for(
    progress: float, cycle: Cycle, today: datetime.date, expected: float | None = None
) -> str:
    """The status of a key result or objective with this progress in this cycle, as of ``today``.

    ``done`` when progress ≥ 100; else ``not_started`` when the cycle is planning
    or its pace date is before its start; else from the gap to the expected pace:
    ``on_track`` (gap ≥ −10), ``at_risk`` (−25 ≤ gap < −10), ``off_track`` (gap < −25).
    A closed cycle is judged as of its last day.
    """
    if round(float(progress), _DUST_PLACES) >= 100:
        return Status.DONE
    if cycle.status == CycleStatus.PLANNING or pace_date(cycle, today) < cycle.start_date:
        return Status.NOT_STARTED
    difference = gap(progress, cycle, today, expected)
    if difference >= ON_TRACK_GAP:
        return Status.ON_TRACK
    if difference >= AT_RISK_GAP:
        return Status.AT_RISK
    return Status.OFF_TRACK


# --- Forecast ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A straight line of value against time: ``value_at(when)``.

    ``origin`` is the first check-in fitted; the chart can draw the line from any
    instant to ``Forecast.at``.
    """

    origin: datetime.datetime
    value_at_origin: Decimal
    slope_per_second: Decimal

    def value_at(self, when: datetime.datetime) -> Decimal:
        """The line's value at ``when``, to 6 places."""
        with localcontext() as context:
            context.prec = 50
            value = self.value_at_origin + self.slope_per_second * _seconds(when - self.origin)
            return value.quantize(FORECAST_PLACES, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Forecast:
    """Where a key result's check-ins point at the end of its cycle."""

    value: Decimal  # the line's value at ``at``, to 6 places
    progress: float  # the measured-progress rule applied to ``value`` (unrounded)
    at: datetime.datetime  # the end of the cycle's last day, local time
    trend: Trend


def cycle_end_instant(cycle: Cycle, tz: datetime.tzinfo) -> datetime.datetime:
    """The end of ``end_date`` in the organization's time zone: midnight that starts the next day."""
    next_day = cycle.end_date + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=tz)


def is_forecastable(key_result: KeyResult) -> bool:
    """Only measured key results that are not milestones get a forecast."""
    return forecastable_kind(key_result.progress_source, key_result.metric)


def forecastable_kind(progress_source: str, metric: str) -> bool:
    """``is_forecastable`` for a key result read as values."""
    return progress_source == ProgressSource.MEASURED and metric != Metric.MILESTONE


def forecast(
    check_ins: Iterable[Any],
    cycle: Cycle,
    tz: datetime.tzinfo,
    key_result: KeyResult,
) -> Forecast | None:
    """The least-squares forecast of ``key_result`` at the end of ``cycle``; None when there is none.

    ``check_ins`` are the key result's check-ins: ``CheckIn`` rows or
    ``(created_at, value)`` pairs, in any order. Only those whose local date lies
    within the cycle's dates count, and they must fall at two or more distinct
    instants. Aligned key results and milestones get None.
    """
    if not is_forecastable(key_result):
        return None
    trend = fit_trend(check_ins, cycle, tz)
    if trend is None:
        return None
    at = cycle_end_instant(cycle, tz)
    value = trend.value_at(at)
    progress = measured_progress(
        start=key_result.start_value, target=key_result.target_value, current=value
    )
    return Forecast(value=value, progress=progress, at=at, trend=trend)


def fit_trend(check_ins: Iterable[Any], cycle: Cycle, tz: datetime.tzinfo) -> Trend | None:
    """The least-squares line through the check-ins inside the cycle's dates (None under two instants)."""
    points = []
    for check_in in check_ins:
        created_at, value = _point(check_in)
        if cycle.start_date <= created_at.astimezone(tz).date() <= cycle.end_date:
            points.append((created_at, Decimal(value)))
    if len({created_at for created_at, _ in points}) < 2:
        return None
    origin = min(created_at for created_at, _ in points)
    with localcontext() as context:
        context.prec = 50
        xs = [_seconds(created_at - origin) for created_at, _ in points]
        ys = [value for _, value in points]
        count = Decimal(len(points))
        mean_x = sum(xs, Decimal(0)) / count
        mean_y = sum(ys, Decimal(0)) / count
        sxx = sum(((x - mean_x) ** 2 for x in xs), Decimal(0))
        sxy = sum(((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)), Decimal(0))
        slope = sxy / sxx
        value_at_origin = mean_y - slope * mean_x
    return Trend(origin=origin, value_at_origin=value_at_origin, slope_per_second=slope)


def _point(check_in: Any) -> tuple[datetime.datetime, Any]:
    if isinstance(check_in, tuple | list):
        return check_in[0], check_in[1]
    return check_in.created_at, check_in.value


def _seconds(delta: datetime.timedelta) -> Decimal:
    """A duration in seconds, exactly (microseconds included)."""
    microseconds = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(microseconds) / Decimal(1_000_000)
