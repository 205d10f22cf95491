"""The progress chart: check-ins as a line, the expected pace dashed, today marked."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from okr.charts import Point, check_in_points, expected_pace, progress_chart

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


def test_the_expected_pace_runs_from_0_to_100():
    assert expected_pace(CYCLE, CYCLE.start_date) == 0
    assert expected_pace(CYCLE, CYCLE.end_date) == 100
    assert expected_pace(CYCLE, datetime.date(2027, 5, 1)) == 100


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
