"""The API tree as JSON bytes, straight from ``values()`` rows (``docs/performance.md``).

The serializers' way — a model instance per row, a serializer field per value,
then one recursive ``json.dumps`` — cost about 100 µs a node and failed on a deep
cascade. Here each row is turned into the same fields as ``ObjectiveSerializer``
and ``KeyResultSerializer`` answer (``tests/api/test_tree_fast.py`` compares the
two on random organizations), each node is encoded flat by orjson, and the
nesting is written by a loop with an explicit stack: no recursion, whatever the
depth.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
from django.utils import timezone

from accounts.models import Membership
from okr import scores
from okr.cycle_health import PaceReader, key_result_score
from okr.models import Cycle
from okr.progress import rounded
from okr.tree import CascadeRows, cycle_roots, load_cascade_rows

# JSON name → the row's column, in the serializers' order.
OBJECTIVE_FIELDS = {
    "id": "id",
    "cycle": "cycle_id",
    "title": "title",
    "description": "description",
    "level": "level",
    "team": "team_id",
    "owner": "owner_id",
    "parent_key_result": "parent_key_result_id",
    "visibility": "visibility",
    "position": "position",
    "progress": "progress",
    "rolled_over_from": "rolled_over_from_id",
}
KEY_RESULT_FIELDS = {
    "id": "id",
    "objective": "objective_id",
    "title": "title",
    "owner": "owner_id",
    "metric": "metric",
    "unit": "unit",
    "start_value": "start_value",
    "target_value": "target_value",
    "current_value": "current_value",
    "weight": "weight",
    "progress_source": "progress_source",
    "position": "position",
    "progress": "progress",
    "confidence": "confidence",
    "last_check_in_at": "last_check_in_at",
    "grade": "grade",
    "grade_note": "grade_note",
    "rolled_over_from": "rolled_over_from_id",
}
NUMBERS = ("start_value", "target_value", "current_value", "weight")
# Computed per row (docs/pace-and-grades.md), after the stored fields, as the serializers do.
OBJECTIVE_PACE = ("expected_progress", "status", "score")
KEY_RESULT_PACE = ("expected_progress", "status", "forecast_value", "forecast_progress", "score")

# Part of the ETag: a change of the fields answered invalidates what clients hold.
FORMAT = zlib.crc32(
    ",".join(
        [*OBJECTIVE_FIELDS, *OBJECTIVE_PACE, "|", *KEY_RESULT_FIELDS, *KEY_RESULT_PACE]
    ).encode()
)


class _ForecastRow:
    """What ``PaceReader.load_forecasts`` reads of a key result, from its row."""

    __slots__ = (
        "last_check_in_at",
        "metric",
        "pk",
        "progress_source",
        "start_value",
        "target_value",
    )

    def __init__(self, row: dict) -> None:
        self.pk = row["id"]
        self.progress_source = row["progress_source"]
        self.metric = row["metric"]
        self.last_check_in_at = row["last_check_in_at"]
        self.start_value = row["start_value"]
        self.target_value = row["target_value"]


class TreeWriter:
    """Turns the rows into the serializers' fields, the pace fields computed in bulk."""

    def __init__(self, membership: Membership, cycle: Cycle, rows: CascadeRows) -> None:
        self.rows = rows
        self.pace = PaceReader(membership.organization)
        self.pace.remember_cycle(cycle)
        self.tz = timezone.get_current_timezone()
        self._expected: dict[int, float] = {}
        key_results = [row for group in rows.key_results.values() for row in group]
        self.forecasts = {row["id"]: _ForecastRow(row) for row in key_results}
        self.pace.load_forecasts(self.forecasts.values())  # one query for the whole tree

    def expected_progress(self, cycle_id: int) -> float:
        if cycle_id not in self._expected:
            self._expected[cycle_id] = rounded(self.pace.expected_progress(cycle_id))
        return self._expected[cycle_id]

    def objective_json(self, row: dict) -> dict:
        node = {name: row[column] for name, column in OBJECTIVE_FIELDS.items()}
        node["progress"] = rounded(node["progress"])
        node["expected_progress"] = self.expected_progress(row["cycle_id"])
        node["status"] = self.pace.status(row["progress"], row["cycle_id"])
        key_results = self.rows.key_results.get(row["id"], ())
        node["score"] = float(
            scores.objective_score(
                (kr["weight"], key_result_score(kr["grade"], kr["progress"])) for kr in key_results
            )
        )
        return node

    def key_result_json(self, row: dict, cycle_id: int) -> dict:
        node = {name: row[column] for name, column in KEY_RESULT_FIELDS.items()}
        for name in NUMBERS:  # DRF's DecimalField, coerce_to_string=False: a JSON number
            node[name] = float(node[name])
        node["progress"] = rounded(node["progress"])
        if node["last_check_in_at"] is not None:  # DRF's DateTimeField, in a line
            moment = node["last_check_in_at"].astimezone(self.tz).isoformat()
            node["last_check_in_at"] = moment.removesuffix("+00:00") + (
                "Z" if moment.endswith("+00:00") else ""
            )
        node["expected_progress"] = self.expected_progress(cycle_id)
        node["status"] = self.pace.status(row["progress"], cycle_id)
        forecast = self.pace.forecast(self.forecasts[row["id"]])
        node["forecast_value"] = None if forecast is None else float(forecast.value)
        node["forecast_progress"] = None if forecast is None else rounded(forecast.progress)
        if node["grade"] is not None:
            node["grade"] = float(node["grade"])
        node["score"] = float(key_result_score(row["grade"], row["progress"]))
        return node

    def render(self, cycle_id: int) -> bytes:
        """``{"cycle": id, "objectives": [...]}`` as bytes, written with an explicit stack."""
        dumps = orjson.dumps
        rows = self.rows
        parts = [b'{"cycle":', dumps(cycle_id), b',"objectives":[']
        stack = [_Frame(iter(rows.roots), None, b"]}")]
        while stack:
            frame = stack[-1]
            row = next(frame.rows, None)
            if row is None:
                parts.append(frame.closing)
                stack.pop()
                continue
            if frame.has_items:
                parts.append(b",")
            frame.has_items = True
            if frame.cycle_id is None:  # a list of objectives
                if not row["is_visible"]:
                    parts.append(dumps({"private": True, "progress": rounded(row["progress"])}))
                    continue
                # The node's own fields, its closing brace traded for the nested list.
                parts.append(dumps(self.objective_json(row))[:-1] + b',"key_results":[')
                key_results = rows.key_results.get(row["id"], ())
                stack.append(_Frame(iter(key_results), row["cycle_id"], b"]}"))
            else:  # a list of key results of an objective in cycle ``frame.cycle_id``
                node = self.key_result_json(row, frame.cycle_id)
                parts.append(dumps(node)[:-1] + b',"children":[')
                stack.append(_Frame(iter(rows.children.get(row["id"], ())), None, b"]}"))
        return b"".join(parts)


@dataclass
class _Frame:
    rows: Iterator[dict]
    cycle_id: int | None  # None: objectives; else key results of an objective of this cycle
    closing: bytes
    has_items: bool = False


def tree_json(membership: Membership, cycle: Cycle) -> bytes:
    """The cascade of ``cycle`` as the member may see it, as JSON bytes."""
    rows = load_cascade_rows(
        membership,
        cycle_roots(membership, cycle),
        objective_fields=tuple(OBJECTIVE_FIELDS.values()),
        key_result_fields=tuple(KEY_RESULT_FIELDS.values()),
    )
    return TreeWriter(membership, cycle, rows).render(cycle.pk)
