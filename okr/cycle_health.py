"""Reads about pace and health: status, expected pace and forecast for many rows at once.

``okr/pace.py`` holds the rules as pure functions; this module feeds them rows
with a bounded number of queries, whatever the number of rows:

- ``PaceReader`` — one per request: the organization's local today, its cycles
  (one query, on first use), for a batch of key results every check-in a
  forecast reads (one query per batch), and for a batch of objectives the
  weights and scores of their key results (one query per batch). Pages and the
  API ask it for ``expected_progress``, ``status``, ``forecast`` and ``score``.

The rules are stated in ``docs/pace-and-grades.md``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from accounts.models import Organization
from okr import pace, scores
from okr.models import CheckIn, Cycle, KeyResult, Objective


class PaceReader:
    """Pace, status and forecast of the rows one request shows, with bounded queries.

    ``today`` defaults to the organization's local date now. Cycles are loaded
    once (all of the organization's: a handful). Forecasts are loaded per batch
    with ``load_forecasts(key_results)`` — one query for the whole batch; a key
    result asked about outside a batch costs one query of its own.
    """

    def __init__(self, organization: Organization, today: datetime.date | None = None) -> None:
        self.organization = organization
        self.tz = organization.tzinfo
        self.today = today or pace.local_today(organization)
        self._cycles: dict[int, Cycle] | None = None
        self._forecasts: dict[int, pace.Forecast | None] = {}
        self._scores: dict[int, Decimal] = {}

    # --- Cycles --------------------------------------------------------------------

    def cycle(self, cycle_id: int) -> Cycle:
        """The organization's cycle ``cycle_id`` (all cycles come in one query, once)."""
        if self._cycles is None or cycle_id not in self._cycles:
            self._cycles = {
                cycle.pk: cycle
                for cycle in Cycle.objects.filter(organization_id=self.organization.pk)
            }
        return self._cycles[cycle_id]

    def remember_cycle(self, cycle: Cycle) -> None:
        """Use a cycle already at hand (after a write, say) instead of loading it."""
        if self._cycles is None:
            self._cycles = {}
        self._cycles[cycle.pk] = cycle

    # --- Expected pace and status ---------------------------------------------------

    def expected_progress(self, cycle_id: int) -> float:
        """The expected progress of the cycle as of today (unrounded)."""
        return pace.expected_progress(self.cycle(cycle_id), self.today)

    def status(self, progress: float, cycle_id: int) -> str:
        """The status of a row of this progress in this cycle, as of today."""
        return pace.status_for(progress, self.cycle(cycle_id), self.today)

    def gap(self, progress: float, cycle_id: int) -> float:
        """``progress − expected``: negative when behind pace."""
        return pace.gap(progress, self.cycle(cycle_id), self.today)

    # --- Forecasts ------------------------------------------------------------------

    def load_forecasts(self, key_results: Iterable[KeyResult]) -> None:
        """Compute the forecast of each key result, reading their check-ins in one query."""
        key_results = list(key_results)
        forecastable = {
            kr.pk: kr for kr in key_results if kr.pk not in self._forecasts and _forecastable(kr)
        }
        for kr in key_results:
            if kr.pk not in forecastable:
                self._forecasts.setdefault(kr.pk, None)
        if not forecastable:
            return
        points: dict[int, list[tuple[datetime.datetime, Any]]] = defaultdict(list)
        cycle_ids: dict[int, int] = {}
        rows = CheckIn.objects.filter(
            organization_id=self.organization.pk, key_result_id__in=forecastable
        ).values_list("key_result_id", "key_result__objective__cycle_id", "created_at", "value")
        for key_result_id, cycle_id, created_at, value in rows:
            points[key_result_id].append((created_at, value))
            cycle_ids[key_result_id] = cycle_id
        for key_result_id, key_result in forecastable.items():
            if len(points[key_result_id]) < 2:
                self._forecasts[key_result_id] = None
                continue
            cycle = self.cycle(cycle_ids[key_result_id])
            self._forecasts[key_result_id] = pace.forecast(
                points[key_result_id], cycle, self.tz, key_result
            )

    def forecast(self, key_result: KeyResult) -> pace.Forecast | None:
        """The key result's forecast (loaded with its batch, or alone with one query)."""
        if key_result.pk not in self._forecasts:
            self.load_forecasts([key_result])
        return self._forecasts.get(key_result.pk)

    # --- Scores ---------------------------------------------------------------------

    def load_scores(self, objectives: Iterable[Objective]) -> None:
        """Score each objective from its key results, read in one query for the batch."""
        pending = [row.pk for row in objectives if row.pk not in self._scores]
        if not pending:
            return
        pairs: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
        rows = KeyResult.objects.filter(
            organization_id=self.organization.pk, objective_id__in=pending
        ).values_list("objective_id", "weight", "grade", "progress")
        for objective_id, weight, grade, progress in rows:
            pairs[objective_id].append((weight, key_result_score(grade, progress)))
        for objective_id in pending:
            self._scores[objective_id] = scores.objective_score(pairs[objective_id])

    def remember_key_results(self, objective: Objective, key_results: Iterable[KeyResult]) -> None:
        """Score an objective from key results already at hand (all of them): no query."""
        self._scores[objective.pk] = scores.objective_score(
            (kr.weight, key_result_score(kr.grade, kr.progress)) for kr in key_results
        )

    def score(self, objective: Objective) -> Decimal:
        """The objective's score (loaded with its batch, or alone with one query)."""
        if objective.pk not in self._scores:
            self.load_scores([objective])
        return self._scores[objective.pk]


def key_result_score(grade: Decimal | None, progress: float) -> Decimal:
    """The key result's score: ``scores.key_result_score`` by position, for rows read as values."""
    return scores.key_result_score(grade=grade, progress=progress)


def _forecastable(key_result: KeyResult) -> bool:
    # A key result that never had a check-in has no line; skip it without a query.
    return pace.is_forecastable(key_result) and key_result.last_check_in_at is not None


def cycle_id_of(row: Objective | KeyResult) -> int:
    """The cycle of an objective, or of a key result's objective, without a query when possible.

    A key result may carry ``pace_cycle_id`` (annotated by the list queries, set
    by the tree); otherwise its objective is read (loaded with it by the selectors).
    """
    if isinstance(row, Objective):
        return row.cycle_id
    cycle_id = getattr(row, "pace_cycle_id", None)
    if cycle_id is not None:
        return cycle_id
    return row.objective.cycle_id
