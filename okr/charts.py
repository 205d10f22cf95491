"""Small inline SVG charts, drawn on the server (no chart library).

- ``progress_chart``: a key result's check-ins as a line (progress in %, by the
  progress rules), a dashed line of expected pace from 0 at the cycle's start to
  100 at its end, a marker for today and a dotted forecast from the last
  check-in to the cycle's end. Dates map to x, progress to y.
- ``pace_bar``: one progress figure against the expected pace (the dashboard).
- ``status_bar``: counts by computed status as one stacked bar.
- ``score_histogram``: the distribution of key-result scores (the review page).

The charts only draw: the numbers they are given come from ``okr/pace.py``
and the selectors. Every SVG carries ``role="img"`` and a sentence that says
what it shows, for screen readers and for people who do not read colours.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from okr.pace import Status
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
    expected: float | None = None,
    forecast: float | None = None,
    title: str = "Progress over time",
) -> SafeString:
    """An accessible SVG: role="img", a title and a one-line description of the data.

    ``expected`` is the expected pace today (for the description); ``forecast``
    the progress the key result's trend reaches at the cycle's end, drawn dotted
    from the last check-in (None: no forecast).
    """
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
    if points and forecast is not None and points[-1].when < end:
        parts.append(
            format_html(
                '<line class="chart-forecast" x1="{}" y1="{}" x2="{}" y2="{}"/>',
                x(points[-1].when),
                y(points[-1].progress),
                x(end),
                y(forecast),
            )
        )
    latest = points[-1].progress if points else 0.0
    count = len(points) - 1 if points else 0
    description = (
        f"{count} check-in{'' if count == 1 else 's'} from {start:%b %-d} to {end:%b %-d}; "
        f"latest {round(latest, 2):g}%"
    )
    if expected is not None:
        description += f", expected pace today {round(expected, 2):g}%"
    if forecast is not None:
        description += f", forecast at the end {round(forecast, 2):g}%"
    description += "."
    svg = (
        f'<svg class="okr-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}: {escape(description)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(description)}</desc>{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # every interpolated value is escaped above


# --- The dashboard and the review page ----------------------------------------------

STATUS_ORDER = ("done", "on_track", "at_risk", "off_track", "not_started")
STATUS_LABELS = dict(Status.choices)


def _svg(css_class: str, view_box: str, label: str, body: str, *, stretch: bool = False) -> str:
    aspect = ' preserveAspectRatio="none"' if stretch else ""
    return (
        f'<svg class="{css_class}" viewBox="{view_box}"{aspect} role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def pace_bar(*, progress: float, expected: float, status: str) -> SafeString:
    """A wide bar: progress filled in the status colour, a tick where the pace stands today."""
    value = min(max(float(progress), 0.0), 100.0)
    pace = min(max(float(expected), 0.0), 100.0)
    label = f"Progress {round(value, 2):g}% against an expected pace of {round(pace, 2):g}%"
    body = format_html(
        '<rect class="pace-track" x="0" y="2" width="100" height="8" rx="4"/>'
        '<rect class="pace-fill status-fill-{}" x="0" y="2" width="{}" height="8" rx="4"/>'
        '<line class="pace-mark" x1="{}" x2="{}" y1="0" y2="12"/>',
        status.replace("_", "-"),
        round(value, 2),
        round(pace, 2),
        round(pace, 2),
    )
    return mark_safe(_svg("pace-bar", "0 0 100 12", label, body, stretch=True))


def status_bar(counts: dict[str, int], *, noun: str = "key results") -> SafeString:
    """Counts by computed status as one stacked bar; the legend with numbers sits beside it."""
    total = sum(counts.get(status, 0) for status in STATUS_ORDER)
    said = ", ".join(
        f"{counts.get(status, 0)} {STATUS_LABELS[status].lower()}" for status in STATUS_ORDER
    )
    label = f"{total} {noun}: {said}"
    parts: list[str] = []
    if not total:
        parts.append('<rect class="status-empty" x="0" y="0" width="100" height="10"/>')
    left = 0.0
    for status in STATUS_ORDER:
        count = counts.get(status, 0)
        if not count:
            continue
        width = 100 * count / total
        parts.append(
            format_html(
                '<rect class="status-fill-{}" x="{}" y="0" width="{}" height="10"/>',
                status.replace("_", "-"),
                round(left, 3),
                round(width, 3),
            )
        )
        left += width
    return mark_safe(_svg("status-bar", "0 0 100 10", label, "".join(parts), stretch=True))


HIST_WIDTH = 320
HIST_HEIGHT = 120
BINS = 10  # 0.0–0.1, 0.1–0.2, … 0.9–1.0 (1.0 falls in the last)


def score_bins(scores: Iterable[float]) -> list[int]:
    """How many scores fall in each tenth of 0–1 (1.0 in the last bin)."""
    bins = [0] * BINS
    for score in scores:
        index = min(int(round(float(score), 2) * BINS + 1e-9), BINS - 1)
        bins[max(index, 0)] += 1
    return bins


def score_histogram(scores: Iterable[float], *, band_of) -> SafeString:
    """Key-result scores by tenths, each bar in the colour of its band.

    ``band_of`` is the domain's band rule (``score → "missed" | "progress" |
    "delivered"``), asked at each bin's lower bound.
    """
    bins = score_bins(scores)
    total = sum(bins)
    tallest = max(bins) or 1
    left, bottom, top = 8, HIST_HEIGHT - 20, 14
    slot = (HIST_WIDTH - 2 * left) / BINS
    parts = [
        format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            left,
            HIST_WIDTH - left,
            bottom,
            bottom,
        )
    ]
    for index, count in enumerate(bins):
        x = left + index * slot
        height = (bottom - top) * count / tallest
        band = band_of(index / BINS)
        if count:
            parts.append(
                format_html(
                    '<rect class="band-fill-{}" x="{}" y="{}" width="{}" height="{}" rx="2"/>'
                    '<text class="chart-label chart-count" x="{}" y="{}" '
                    'text-anchor="middle">{}</text>',
                    band,
                    round(x + 2, 1),
                    round(bottom - height, 1),
                    round(slot - 4, 1),
                    round(height, 1),
                    round(x + slot / 2, 1),
                    round(bottom - height - 3, 1),
                    count,
                )
            )
    for tick, anchor in ((0, "start"), (5, "middle"), (10, "end")):
        parts.append(
            format_html(
                '<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}</text>',
                round(left + tick * slot, 1),
                HIST_HEIGHT - 6,
                anchor,
                f"{tick / 10:.1f}",
            )
        )
    said = ", ".join(
        f"{count} between {i / BINS:.1f} and {(i + 1) / BINS:.1f}"
        for i, count in enumerate(bins)
        if count
    )
    label = f"Scores of {total} key result{'' if total == 1 else 's'}" + (
        f": {said}" if said else ""
    )
    return mark_safe(
        _svg("score-histogram", f"0 0 {HIST_WIDTH} {HIST_HEIGHT}", label, "".join(parts))
    )
