"""Progress over time as a small inline SVG, drawn on the server (no chart library).

The chart shows a key result's check-ins as a line (progress in %, by the
progress rules), a dashed line of expected pace from 0 at the cycle's start to
100 at its end, and a marker for today. Dates map to x, progress to y.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from okr.progress import measured_progress

WIDTH = 320
HEIGHT = 120
PAD_LEFT = 30
PAD_RIGHT = 8
PAD_TOP = 8
PAD_BOTTOM = 20


@dataclass(frozen=True)
class Point:
    when: datetime.date
    progress: float


def check_in_points(key_result, check_ins: Iterable) -> list[Point]:
    """The key result's progress after each check-in, oldest first, starting from its start."""
    points = [Point(key_result.created_at.date(), 0.0)]
    for check_in in sorted(check_ins, key=lambda c: (c.created_at, c.pk)):
        progress = measured_progress(
            start=key_result.start_value, target=key_result.target_value, current=check_in.value
        )
        points.append(Point(check_in.created_at.date(), progress))
    return points


def progress_chart(
    *,
    cycle,
    points: list[Point],
    today: datetime.date,
    title: str = "Progress over time",
) -> SafeString:
    """An accessible SVG: role="img", a title and a one-line description of the data."""
    start, end = cycle.start_date, cycle.end_date
    # Check-ins may fall outside the cycle's dates; widen the axis rather than drop them.
    first = min([start, *[p.when for p in points]])
    last = max([end, *[p.when for p in points]])
    span = max((last - first).days, 1)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: datetime.date) -> float:
        return round(PAD_LEFT + inner_w * (day - first).days / span, 1)

    def y(progress: float) -> float:
        return round(PAD_TOP + inner_h * (1 - min(max(progress, 0), 100) / 100), 1)

    parts: list[str] = []
    for value in (0, 50, 100):
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}%</text>',
                PAD_LEFT,
                WIDTH - PAD_RIGHT,
                y(value),
                y(value),
                PAD_LEFT - 4,
                y(value) + 4,
                value,
            )
        )
    parts.append(
        format_html(
            '<line class="chart-pace" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            x(start),
            y(0),
            x(end),
            y(100),
        )
    )
    if first <= today <= last:
        parts.append(
            format_html(
                '<line class="chart-today" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>'
                '<text class="chart-label" x="{0}" y="{3}" text-anchor="middle">today</text>',
                x(today),
                PAD_TOP,
                HEIGHT - PAD_BOTTOM,
                HEIGHT - 6,
            )
        )
    if points:
        coordinates = " ".join(f"{x(p.when)},{y(p.progress)}" for p in points)
        parts.append(format_html('<polyline class="chart-line" points="{}"/>', coordinates))
        for point in points[1:]:
            parts.append(
                format_html(
                    '<circle class="chart-dot" cx="{}" cy="{}" r="2.5"/>',
                    x(point.when),
                    y(point.progress),
                )
            )
    latest = points[-1].progress if points else 0.0
    count = len(points) - 1 if points else 0
    description = (
        f"{count} check-in{'' if count == 1 else 's'} from {start:%b %-d} to {end:%b %-d}; "
        f"latest {round(latest, 2):g}%, expected pace today "
        f"{round(expected_pace(cycle, today), 2):g}%."
    )
    svg = (
        f'<svg class="okr-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}: {escape(description)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(description)}</desc>{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # every interpolated value is escaped above


def expected_pace(cycle, today: datetime.date) -> float:
    """Where a key result on pace would stand today: linear from 0 at the start to 100 at the end."""
    total = (cycle.end_date - cycle.start_date).days or 1
    elapsed = (today - cycle.start_date).days
    return min(max(elapsed / total * 100, 0.0), 100.0)
