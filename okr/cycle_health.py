"""Reads about pace and health: status, expected pace and forecast for many rows at once.

``okr/pace.py`` holds the rules as pure functions; this module feeds them rows
with a bounded number of queries, whatever the number of rows:

- ``PaceReader`` — one per request: the organization's local today, its cycles
  (one query, on first use), for a batch of key results every check-in a
  forecast reads (one query per batch), and for a batch of objectives the
  weights and scores of their key results (one query per batch). Pages and the
  API ask it for ``expected_progress``, ``status``, ``forecast`` and ``score``.
- ``cycle_summary(membership, cycle)`` — a cycle's health as the viewer sees
  it: progress against pace, counts by status, the check-in rate within the
  cadence and the objectives furthest behind. Two queries.

The rules are stated in ``docs/pace-and-grades.md``.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Membership, Organization
from okr import pace, scores, selectors
from okr.models import CheckIn, Cycle, KeyResult, Level, Objective, ProgressSource


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
        self._expected: dict[int, float] = {}
        # Thousands of rows share a few progress values (0, 100, the usual steps).
        self._statuses: dict[tuple[float, int], str] = {}

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

    def remember_cycles_of(self, rows: Iterable[Objective | KeyResult]) -> None:
        """Use the cycles that came along with rows (``select_related``): no query for them."""
        for row in rows:
            holder = row
            if isinstance(row, KeyResult):
                if not KeyResult.objective.is_cached(row):
                    continue
                holder = row.objective
            if Objective.cycle.is_cached(holder):
                self.remember_cycle(holder.cycle)

    # --- Expected pace and status ---------------------------------------------------

    def expected_progress(self, cycle_id: int) -> float:
        """The expected progress of the cycle as of today (unrounded), once per cycle."""
        if cycle_id not in self._expected:
            self._expected[cycle_id] = pace.expected_progress(self.cycle(cycle_id), self.today)
        return self._expected[cycle_id]

    def status(self, progress: float, cycle_id: int) -> str:
        """The status of a row of this progress in this cycle, as of today (once per pair)."""
        key = (progress, cycle_id)
        if key not in self._statuses:
            expected = self.expected_progress(cycle_id)
            self._statuses[key] = pace.status_for(
                progress, self.cycle(cycle_id), self.today, expected
            )
        return self._statuses[key]

    def gap(self, progress: float, cycle_id: int) -> float:
        """``progress − expected``: negative when behind pace."""
        expected = self.expected_progress(cycle_id)
        return pace.gap(progress, self.cycle(cycle_id), self.today, expected)

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


@functools.lru_cache(maxsize=4096)
def key_result_score(grade: Decimal | None, progress: float) -> Decimal:
    """The key result's score: ``scores.key_result_score`` by position, for rows read as values.

    Kept per (grade, progress): a tree or a cycle's summary scores thousands of rows
    that share a few hundred values, and the score is a pure function of the two.
    """
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


# --- The cycle summary ------------------------------------------------------------------


@dataclass(frozen=True)
class BehindObjective:
    """An objective behind pace, with its gap (progress − expected, negative)."""

    objective: Objective
    gap: float


@dataclass(frozen=True)
class CycleSummary:
    """A cycle's health as the viewer can see it (``cycle_summary``).

    ``progress`` is the plain mean of the visible company objectives' progress
    (0 with none) and ``expected_progress`` the steady pace by today, both
    unrounded; ``status`` reads the one against the other. ``key_results`` and
    ``objectives`` count rows by status (every status present, 0 included). ``checked_in_within_cadence`` is the share of
    measured key results whose last check-in is no older than the cadence,
    0–1 to 2 decimals. ``behind`` holds up to 5 objectives behind pace, the
    furthest behind first.
    """

    cycle: Cycle
    today: datetime.date  # the organization's local date the statuses were read at
    progress: float
    expected_progress: float
    status: str  # of ``progress`` against the pace
    key_results: dict[str, int]
    objectives: dict[str, int]
    checked_in_within_cadence: Decimal
    behind: list[BehindObjective]


BEHIND_LIMIT = 5


def cycle_summary(
    membership: Membership, cycle: Cycle, *, now: datetime.datetime | None = None
) -> CycleSummary:
    """The health of ``cycle`` over the objectives and key results ``membership`` can see.

    Two queries whatever the organization's size: the visible objectives of the
    cycle (with their owners and teams, for pages that name them), then their key
    results. The rules are in ``docs/pace-and-grades.md``: statuses as of the
    organization's local today (a closed cycle as of its end date); the check-in
    share measured now (a closed cycle at the end of its last day).
    """
    organization = membership.organization
    now = now or timezone.now()
    today = pace.local_today(organization, now)
    objectives = list(
        selectors.visible_objectives(membership)
        .filter(cycle=cycle)
        .select_related("owner", "team")
        .order_by("position", "id")
    )
    key_results = list(
        KeyResult.objects.filter(
            organization_id=organization.pk, objective_id__in=[row.pk for row in objectives]
        ).values_list("progress", "progress_source", "last_check_in_at")
    )

    expected = pace.expected_progress(cycle, today)  # once: every row shares the cycle
    key_result_counts = dict.fromkeys(pace.Status.values, 0)
    for progress, _, _ in key_results:
        key_result_counts[pace.status_for(progress, cycle, today, expected)] += 1

    objective_counts = dict.fromkeys(pace.Status.values, 0)
    behind = []
    for objective in objectives:
        status = pace.status_for(objective.progress, cycle, today, expected)
        objective_counts[status] += 1
        gap = pace.gap(objective.progress, cycle, today, expected)
        if status not in (pace.Status.DONE, pace.Status.NOT_STARTED) and gap < 0:
            behind.append(BehindObjective(objective, gap))
    behind.sort(key=lambda row: (row.gap, row.objective.position, row.objective.pk))

    company = [row.progress for row in objectives if row.level == Level.COMPANY]
    at = pace.cycle_end_instant(cycle, organization.tzinfo) if cycle.is_closed else now
    cadence = datetime.timedelta(days=organization.checkin_cadence_days)
    measured = [last for _, source, last in key_results if source == ProgressSource.MEASURED]
    fresh = sum(1 for last in measured if last is not None and at - last <= cadence)

    progress = math.fsum(company) / len(company) if company else 0.0
    return CycleSummary(
        cycle=cycle,
        today=today,
        progress=progress,
        expected_progress=expected,
        status=pace.status_for(progress, cycle, today, expected),
        key_results=key_result_counts,
        objectives=objective_counts,
        checked_in_within_cadence=_share(fresh, len(measured)),
        behind=behind[:BEHIND_LIMIT],
    )


def _share(part: int, whole: int) -> Decimal:
    """``part / whole`` to 2 decimals, half up; 0 when ``whole`` is 0."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
