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

import contextlib
import datetime
import functools
import operator
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Membership
from okr import pace, scores
from okr.cycle_health import PaceReader, key_result_score
from okr.models import Cycle
from okr.progress import rounded
from okr.tree import CascadeRows, EpochSeconds, cycle_roots, load_cascade_rows

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
    "last_check_in_at": "last_check_in_epoch",
    "grade": "grade",
    "grade_note": "grade_note",
    "rolled_over_from": "rolled_over_from_id",
}
# A row's columns in the fields' order, read in one call.
_OBJECTIVE_COLUMNS = operator.itemgetter(*OBJECTIVE_FIELDS.values())
_KEY_RESULT_COLUMNS = operator.itemgetter(*KEY_RESULT_FIELDS.values())
# Computed columns of the key-result rows: the last check-in read as a float (see EpochSeconds).
KEY_RESULT_EXPRESSIONS = {"last_check_in_epoch": EpochSeconds("last_check_in_at")}
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


FORECAST_SECONDS = 7 * 24 * 3600


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
        self.last_check_in_at = row["last_check_in_epoch"]  # only ever asked whether it is None
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
        self.forecasts = self._forecasts(membership)

    def _forecasts(self, membership: Membership) -> dict[int, tuple[float, float] | None]:
        """``(forecast_value, forecast_progress)`` of every key result, None where there is none.

        A forecast reads every check-in of its key result (thousands of rows for a
        tree) but changes only with them: the organization's forecasts are kept in
        one cache entry, each under a fingerprint of everything it reads — the last
        check-in's instant (check-ins are only ever added, and each one moves it),
        the key result's range, metric and source, its cycle's dates and the
        organization's time zone. A changed fingerprint is a miss; the misses are
        computed together, in one query, and the entry is written back.
        """
        cycle_of_objective = {row["id"]: row["cycle_id"] for row in self.rows.roots}
        for group in self.rows.children.values():
            cycle_of_objective.update((row["id"], row["cycle_id"]) for row in group)
        timezone_name = membership.organization.timezone
        forecasts: dict[int, tuple[float, float] | None] = {}
        fingerprints: dict[int, tuple] = {}
        for objective_id, group in self.rows.key_results.items():
            cycle = self.pace.cycle(cycle_of_objective[objective_id])
            for row in group:
                forecasts[row["id"]] = None
                if row["last_check_in_epoch"] is None or not pace.is_forecastable(
                    _ForecastRow(row)
                ):
                    continue  # no line without check-ins; none for aligned or milestones
                fingerprints[row["id"]] = (
                    row["last_check_in_epoch"],
                    row["start_value"],
                    row["target_value"],
                    row["metric"],
                    row["progress_source"],
                    cycle.start_date,
                    cycle.end_date,
                    timezone_name,
                )
        key = f"okr:forecasts:{membership.organization_id}"
        try:
            kept = cache.get(key) or {}
        except Exception:  # a cache outage costs the computation, never the answer
            kept = {}
        misses = []
        for pk, fingerprint in fingerprints.items():
            hit = kept.get(pk)
            if hit is not None and hit[0] == fingerprint:
                forecasts[pk] = hit[1]
            else:
                misses.append(pk)
        if not misses:
            return forecasts
        rows = {row["id"]: row for group in self.rows.key_results.values() for row in group}
        adapters = [_ForecastRow(rows[pk]) for pk in misses]
        self.pace.load_forecasts(adapters)  # one query for every miss
        for adapter in adapters:
            forecast = self.pace.forecast(adapter)
            value = (
                None if forecast is None else (float(forecast.value), rounded(forecast.progress))
            )
            forecasts[adapter.pk] = value
            kept[adapter.pk] = (fingerprints[adapter.pk], value)
        with contextlib.suppress(Exception):  # a cache outage costs the next computation
            cache.set(key, kept, timeout=FORECAST_SECONDS)
        return forecasts

    def expected_progress(self, cycle_id: int) -> float:
        if cycle_id not in self._expected:
            self._expected[cycle_id] = rounded(self.pace.expected_progress(cycle_id))
        return self._expected[cycle_id]

    def objective_json(self, row: dict) -> dict:
        node = dict(zip(OBJECTIVE_FIELDS, _OBJECTIVE_COLUMNS(row), strict=True))
        node["progress"] = rounded(node["progress"])
        node["expected_progress"] = self.expected_progress(row["cycle_id"])
        node["status"] = self.pace.status(row["progress"], row["cycle_id"])
        key_results = self.rows.key_results.get(row["id"], ())
        for kr in key_results:  # each key result's score, once: its own node answers it too
            kr["score"] = key_result_score(kr["grade"], kr["progress"])
        node["score"] = float(
            scores.objective_score((kr["weight"], kr["score"]) for kr in key_results)
        )
        return node

    def key_result_json(self, row: dict, cycle_id: int) -> dict:
        node = dict(zip(KEY_RESULT_FIELDS, _KEY_RESULT_COLUMNS(row), strict=True))
        for name in NUMBERS:  # DRF's DecimalField, coerce_to_string=False: a JSON number
            node[name] = float(node[name])
        node["progress"] = rounded(node["progress"])
        if node["last_check_in_at"] is not None:
            # DRF's DateTimeField: ISO 8601 in the current time zone, "Z" for a zero
            # offset; orjson writes it so (OPT_UTC_Z, see render).
            node["last_check_in_at"] = datetime.datetime.fromtimestamp(
                node["last_check_in_at"], self.tz
            )
        node["expected_progress"] = self.expected_progress(cycle_id)
        node["status"] = self.pace.status(row["progress"], cycle_id)
        forecast = self.forecasts[row["id"]]
        node["forecast_value"] = None if forecast is None else forecast[0]
        node["forecast_progress"] = None if forecast is None else forecast[1]
        if node["grade"] is not None:
            node["grade"] = float(node["grade"])
        node["score"] = float(row["score"])
        return node

    def render(self, cycle_id: int) -> bytes:
        """``{"cycle": id, "objectives": [...]}`` as bytes, written with an explicit stack."""
        dumps = functools.partial(orjson.dumps, option=orjson.OPT_UTC_Z)
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
                    private = {"private": True, "progress": rounded(row["progress"])}
                    parts.append(dumps(private)[:-1] + b"}")  # a copy of its own size
                    continue
                # The node's own fields, its closing brace traded for the nested list.
                # (Slicing also copies orjson's bytes out of the ~4 KB buffer they were
                # written in: 20,000 nodes kept whole until the join cost 140 MB more.)
                node = dumps(self.objective_json(row))[:-1]
                key_results = rows.key_results.get(row["id"])
                if not key_results:
                    parts.append(node + b',"key_results":[]}')
                    continue
                parts.append(node + b',"key_results":[')
                stack.append(_Frame(iter(key_results), row["cycle_id"], b"]}"))
            else:  # a list of key results of an objective in cycle ``frame.cycle_id``
                node = dumps(self.key_result_json(row, frame.cycle_id))[:-1]
                children = rows.children.get(row["id"])
                if not children:  # most key results: a leaf needs no frame of its own
                    parts.append(node + b',"children":[]}')
                    continue
                parts.append(node + b',"children":[')
                stack.append(_Frame(iter(children), None, b"]}"))
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
        key_result_fields=tuple(
            column for column in KEY_RESULT_FIELDS.values() if column not in KEY_RESULT_EXPRESSIONS
        ),
        key_result_expressions=KEY_RESULT_EXPRESSIONS,
    )
    return TreeWriter(membership, cycle, rows).render(cycle.pk)
