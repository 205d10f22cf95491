"""The progress chart: check-ins as a line, the expected pace dashed, today marked, the
forecast dotted; the dashboard's and the review page's small charts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from okr.charts import (
    Point,
    check_in_points,
    pace_bar,
    progress_chart,
    score_bins,
    score_histogram,
    status_bar,
)

CYCLE = SimpleNamespace(start_date=datetime.date(2026, 10, 1), end_date=datetime.date(2026, 12, 31))


def test_it_draws_the_line_the_pace_and_today():
    points = [Point(datetime.date(2026, 10, 1), 0.0), Point(datetime.date(2026, 11, 1), 40.0)]
    svg = progress_chart(cycle=CYCLE, points=points, today=datetime.date(2026, 11, 15))
    assert svg.startswith('<svg class="okr-chart"') and 'role="img"' in svg
    assert '<polyline class="chart-line" points="30.0,100.0' in svg  # starts at 0% on day one
    assert 'class="chart-pace" x1="30.0" y1="100.0" x2="312.0" y2="8.0"' in svg
    assert 'class="chart-today"' in svg
    assert "latest 40%" in svg


def test_it_leaves_today_out_when_it_is_outside_the_cycle():
    svg = progress_chart(cycle=CYCLE, points=[], today=datetime.date(2027, 3, 1))
    assert "chart-today" not in svg


def test_it_escapes_titles():
    svg = progress_chart(cycle=CYCLE, points=[], today=CYCLE.start_date, title="<script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_it_draws_the_forecast_dotted_from_the_last_check_in_to_the_cycles_end():
    points = [Point(datetime.date(2026, 10, 1), 0.0), Point(datetime.date(2026, 11, 1), 40.0)]
    svg = progress_chart(
        cycle=CYCLE, points=points, today=datetime.date(2026, 11, 15), expected=50, forecast=80
    )
    # From the last check-in (Nov 1, 40%) to the end (Dec 31, x=312) at 80%.
    assert '<line class="chart-forecast" x1="126.1" y1="63.2" x2="312.0" y2="26.4"/>' in svg
    assert "expected pace today 50%, forecast at the end 80%" in svg


def test_it_draws_no_forecast_without_one():
    points = [Point(datetime.date(2026, 10, 1), 0.0), Point(datetime.date(2026, 11, 1), 40.0)]
    svg = progress_chart(cycle=CYCLE, points=points, today=datetime.date(2026, 11, 15))
    assert "chart-forecast" not in svg and "forecast" not in svg


def test_the_pace_bar_fills_the_progress_and_marks_the_pace():
    svg = pace_bar(progress=42.5, expected=60, status="at_risk")
    assert 'class="pace-fill status-fill-at-risk" x="0" y="2" width="42.5"' in svg
    assert 'class="pace-mark" x1="60.0" x2="60.0"' in svg
    assert "Progress 42.5% against an expected pace of 60%" in svg


def test_the_status_bar_stacks_the_counts_in_order():
    svg = status_bar({"done": 1, "on_track": 2, "at_risk": 0, "off_track": 1, "not_started": 0})
    assert '<rect class="status-fill-done" x="0.0" y="0" width="25.0"' in svg
    assert '<rect class="status-fill-on-track" x="25.0" y="0" width="50.0"' in svg
    assert '<rect class="status-fill-off-track" x="75.0" y="0" width="25.0"' in svg
    assert "status-fill-at-risk" not in svg
    assert "4 key results: 1 done, 2 on track, 0 at risk, 1 off track, 0 not started" in svg


def test_an_empty_status_bar_is_a_grey_track():
    assert "status-empty" in status_bar({}, noun="objectives")


def test_scores_fall_in_tenths_with_one_in_the_last():
    assert score_bins([0, 0.09, 0.1, 0.45, 0.7, 0.99, 1.0]) == [2, 1, 0, 0, 1, 0, 0, 1, 0, 2]


def test_the_histogram_colours_each_bar_by_its_band():
    def band_of(score):
        return "missed" if score < 0.4 else "progress" if score < 0.7 else "delivered"

    svg = score_histogram([0.2, 0.5, 0.5, 1.0], band_of=band_of)
    assert svg.count('class="band-fill-missed"') == 1
    assert svg.count('class="band-fill-progress"') == 1
    assert svg.count('class="band-fill-delivered"') == 1
    assert "Scores of 4 key results: 1 between 0.2 and 0.3, 2 between 0.5 and 0.6" in svg


def test_it_turns_check_ins_into_progress_by_the_rules():
    key_result = SimpleNamespace(
        created_at=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC),
        start_value=Decimal(100),
        target_value=Decimal(50),
    )
    check_in = SimpleNamespace(
        pk=1, created_at=datetime.datetime(2026, 10, 9, tzinfo=datetime.UTC), value=Decimal(75)
    )
    assert [p.progress for p in check_in_points(key_result, [check_in])] == [0.0, 50.0]
