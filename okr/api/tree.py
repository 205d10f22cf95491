"""The API tree as JSON bytes, straight from ``values_list()`` rows (``docs/performance.md``).

The serializers' way — a model instance per row, a serializer field per value,
then one recursive ``json.dumps`` — cost about 100 µs a node and failed on a deep
cascade. Here each row is zipped once into the same fields as
``ObjectiveSerializer`` and ``KeyResultSerializer`` answer
(``tests/api/test_tree_fast.py`` compares the two on random organizations), the
nodes are hung in their parents' lists level by level, without recursion, and
one ``orjson.dumps`` writes the whole (cut into pieces below a depth orjson
refuses, ``LEVELS_PER_DUMP``).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import operator
import zlib
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import orjson
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Membership
from okr import pace, scores
from okr.cycle_health import PaceReader, key_result_score
from okr.models import Cycle, KeyResult
from okr.progress import rounded
from okr.tree import AsFloat, CascadeRows, EpochSeconds, cycle_roots, load_cascade_rows

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
    "start_value": "start_as_float",
    "target_value": "target_as_float",
    "current_value": "current_as_float",
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
# Computed columns of the key-result rows. DRF's DecimalField (coerce_to_string=False)
# answers a float, which the database converts (AsFloat); the last check-in is read as a
# float too (EpochSeconds). The weight stays a Decimal: the objective's score needs it exact.
KEY_RESULT_EXPRESSIONS = {
    "start_as_float": AsFloat("start_value"),
    "target_as_float": AsFloat("target_value"),
    "current_as_float": AsFloat("current_value"),
    "last_check_in_epoch": EpochSeconds("last_check_in_at"),
}
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

# orjson refuses to nest deeper than 255 containers, and each level of the cascade is
# four (an objective, its key results, a key result, its children): a subtree this many
# levels deep is written on its own and set in its parent as ready JSON (orjson.Fragment).
LEVELS_PER_DUMP = 32

# The rows begin with the answer's fields, in their order (see load_cascade_rows): each
# row is zipped with these names, which stop before the loader's own columns.
_OBJECTIVE_NAMES = tuple(OBJECTIVE_FIELDS)
_KEY_RESULT_NAMES = tuple(KEY_RESULT_FIELDS)
_FORECAST_INPUTS = ("last_check_in_at", "start_value", "target_value", "metric", "progress_source")
_NO_FORECAST = (None, None)


class TreeWriter:
    """Turns the rows into the serializers' fields, the pace fields computed in bulk."""

    def __init__(self, membership: Membership, cycle: Cycle, rows: CascadeRows) -> None:
        self.rows = rows
        self.pace = PaceReader(membership.organization)
        self.pace.remember_cycle(cycle)
        self.tz = timezone.get_current_timezone()
        self._expected: dict[int, float] = {}
        self.forecasts = self._forecasts(membership)

    def _forecasts(self, membership: Membership) -> dict[int, tuple[float | None, float | None]]:
        """``(forecast_value, forecast_progress)`` of the key results that may have one.

        A forecast reads every check-in of its key result (thousands of rows for a
        tree) but changes only with them: the organization's forecasts are kept in
        one cache entry, each under a fingerprint of everything it reads — the last
        check-in's instant (check-ins are only ever added, and each one moves it),
        the key result's range (as the rows' doubles: two ranges tell apart to 15
        significant digits), metric and source, its cycle's dates and the
        organization's time zone. A changed fingerprint is a miss; the misses are
        computed together, in one query, and the entry is written back.
        """
        columns = self.rows.key_result_columns
        inputs = operator.itemgetter(
            *(columns.index(KEY_RESULT_FIELDS[name]) for name in _FORECAST_INPUTS)
        )
        key_result_id = columns.index("id")
        of_objective = columns.index("objective_id")
        objective_id = self.rows.objective_columns.index("id")
        cycle_id = self.rows.objective_columns.index("cycle_id")
        timezone_name = membership.organization.timezone
        fingerprints: dict[int, tuple] = {}
        for level in self.rows.levels:
            cycle_of_objective = {row[objective_id]: row[cycle_id] for row in level.objectives}
            for row in level.key_results:
                fingerprint = inputs(row)
                last_check_in, _, _, metric, progress_source = fingerprint
                if last_check_in is None or not pace.forecastable_kind(progress_source, metric):
                    continue  # no line without check-ins; none for aligned or milestones
                cycle = self.pace.cycle(cycle_of_objective[row[of_objective]])
                fingerprints[row[key_result_id]] = (
                    *fingerprint,
                    cycle.start_date,
                    cycle.end_date,
                    timezone_name,
                )
        key = f"okr:forecasts:{membership.organization_id}"
        try:
            kept = cache.get(key) or {}
        except Exception:  # a cache outage costs the computation, never the answer
            kept = {}
        forecasts: dict[int, tuple[float | None, float | None]] = {}
        misses = []
        for pk, fingerprint in fingerprints.items():
            hit = kept.get(pk)
            if hit is not None and hit[0] == fingerprint:
                forecasts[pk] = hit[1] or _NO_FORECAST
            else:
                misses.append(pk)
        if not misses:
            return forecasts
        # The rows hold the range as doubles; the forecast's progress needs it exact.
        key_results = list(
            KeyResult.objects.filter(
                organization_id=membership.organization_id, pk__in=misses
            ).only(*_FORECAST_INPUTS, "objective_id")
        )
        self.pace.load_forecasts(key_results)  # one query for every miss
        for key_result in key_results:
            forecast = self.pace.forecast(key_result)
            value = (
                None if forecast is None else (float(forecast.value), rounded(forecast.progress))
            )
            forecasts[key_result.pk] = value or _NO_FORECAST
            kept[key_result.pk] = (fingerprints[key_result.pk], value)
        with contextlib.suppress(Exception):  # a cache outage costs the next computation
            cache.set(key, kept, timeout=FORECAST_SECONDS)
        return forecasts

    def expected_progress(self, cycle_id: int) -> float:
        if cycle_id not in self._expected:
            self._expected[cycle_id] = rounded(self.pace.expected_progress(cycle_id))
        return self._expected[cycle_id]

    def objective_node(self, row: tuple) -> dict:
        """A visible objective's node, its score to come once its key results are read."""
        node = dict(zip(_OBJECTIVE_NAMES, row, strict=False))
        progress = node["progress"]
        node["progress"] = rounded(progress)
        node["expected_progress"] = self.expected_progress(node["cycle"])
        node["status"] = self.pace.status(progress, node["cycle"])
        node["score"] = None
        node["key_results"] = []
        return node

    def key_result_node(self, row: tuple, objective: dict) -> tuple[dict, Decimal]:
        """The key result's node, and its score for its objective's."""
        node = dict(zip(_KEY_RESULT_NAMES, row, strict=False))
        node["weight"] = float(node["weight"])
        progress = node["progress"]
        node["progress"] = rounded(progress)
        if node["last_check_in_at"] is not None:
            # DRF's DateTimeField: ISO 8601 in the current time zone, "Z" for a zero
            # offset; orjson writes it so (OPT_UTC_Z, see render).
            node["last_check_in_at"] = datetime.datetime.fromtimestamp(
                node["last_check_in_at"], self.tz
            )
        node["expected_progress"] = objective["expected_progress"]  # the same cycle's
        node["status"] = self.pace.status(progress, objective["cycle"])
        node["forecast_value"], node["forecast_progress"] = self.forecasts.get(
            node["id"], _NO_FORECAST
        )
        grade = node["grade"]
        if grade is not None:
            node["grade"] = float(grade)
        score = key_result_score(grade, progress)
        node["score"] = float(score)
        node["children"] = []
        return node, score

    def render(self, cycle_id: int) -> bytes:
        """``{"cycle": id, "objectives": [...]}`` as bytes.

        Every node is built level by level and hung in its parent's list, then the
        whole is written by one ``orjson.dumps``: no recursion in Python, whatever
        the depth (a cascade deeper than ``LEVELS_PER_DUMP`` is cut, see there).
        """
        dumps = functools.partial(orjson.dumps, option=orjson.OPT_UTC_Z)
        objective_id = self.rows.objective_columns.index("id")
        parent_id = self.rows.objective_columns.index("parent_key_result_id")
        is_visible = self.rows.objective_columns.index("is_visible")
        progress = self.rows.objective_columns.index("progress")
        weight = self.rows.key_result_columns.index("weight")
        of_objective = self.rows.key_result_columns.index("objective_id")
        roots: list[dict] = []
        parents: list[dict[int, dict]] = []  # per level, its key results' nodes by id
        for depth, level in enumerate(self.rows.levels):
            visible: dict[int, dict] = {}
            for row in level.objectives:
                if row[is_visible]:
                    node = visible[row[objective_id]] = self.objective_node(row)
                else:
                    node = {"private": True, "progress": rounded(row[progress])}
                if depth:
                    parents[-1][row[parent_id]]["children"].append(node)
                else:
                    roots.append(node)
            key_results: dict[int, dict] = {}
            scored: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
            for row in level.key_results:
                objective = visible[row[of_objective]]
                node, score = self.key_result_node(row, objective)
                objective["key_results"].append(node)
                key_results[node["id"]] = node
                scored[row[of_objective]].append((row[weight], score))
            for pk, node in visible.items():
                node["score"] = float(scores.objective_score(scored.get(pk, ())))
            parents.append(key_results)
        # Deepest first, so that each subtree written holds no cut still to make.
        for depth in reversed(range(LEVELS_PER_DUMP, len(parents), LEVELS_PER_DUMP)):
            for node in parents[depth - 1].values():
                if node["children"]:
                    node["children"] = orjson.Fragment(dumps(node["children"]))
        return dumps({"cycle": cycle_id, "objectives": roots})


def tree_json(membership: Membership, cycle: Cycle) -> bytes:
    """The cascade of ``cycle`` as the member may see it, as JSON bytes."""
    with _no_collections():
        rows = load_cascade_rows(
            membership,
            cycle_roots(membership, cycle),
            objective_columns=tuple(OBJECTIVE_FIELDS.values()),
            key_result_columns=tuple(KEY_RESULT_FIELDS.values()),
            key_result_expressions=KEY_RESULT_EXPRESSIONS,
        )
        return TreeWriter(membership, cycle, rows).render(cycle.pk)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection while the answer is built.

    It builds tens of thousands of tuples, dictionaries and lists, which all live
    until the answer is written: the collector ran ~40 times per answer (3-9 ms
    of CPU, by ``gc.callbacks``) only to find each time that none of them could be
    freed. Once enabled again it collects as usual; the rows and nodes, which hold
    no cycles, go by reference counting.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
