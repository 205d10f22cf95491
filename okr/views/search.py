"""Search: the objectives and key results whose title contains the words typed.

A plain GET (``/o/<org>/search/?q=``) from the top bar. Results come from the
visible querysets of ``okr.selectors``, so another organization's rows and
private objectives the member may not see (with their key results) never
match. Active cycles come first, then the newest.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okr import selectors
from okr.models import CycleStatus

MAX_QUERY = 200
MAX_RESULTS = 50
MAX_WORDS = 10


def _cycle_order(prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}cycle__status": CycleStatus.ACTIVE}, then=Value(0)),
        When(**{f"{prefix}cycle__status": CycleStatus.PLANNING}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def search(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    objectives: list = []
    key_results: list = []
    if query:
        # Every word must be in the title, in any order: "platform ship" finds
        # "Ship a reliable platform". Ten words are plenty and bound the query.
        words = query.split()[:MAX_WORDS]
        found_objectives = selectors.visible_objectives(membership)
        found_key_results = selectors.visible_key_results(membership)
        for word in words:
            found_objectives = found_objectives.filter(title__icontains=word)
            found_key_results = found_key_results.filter(title__icontains=word)
        objectives = list(
            found_objectives.select_related("cycle", "team", "owner")
            .alias(cycle_order=_cycle_order())
            .order_by("cycle_order", "-cycle__start_date", "position", "id")[: MAX_RESULTS + 1]
        )
        key_results = list(
            found_key_results.select_related("objective", "objective__cycle", "owner")
            .alias(cycle_order=_cycle_order("objective__"))
            .order_by(
                "cycle_order", "-objective__cycle__start_date", "objective_id", "position", "id"
            )[: MAX_RESULTS + 1]
        )
    context = {
        "query": query,
        "objectives": objectives[:MAX_RESULTS],
        "more_objectives": len(objectives) > MAX_RESULTS,
        "key_results": key_results[:MAX_RESULTS],
        "more_key_results": len(key_results) > MAX_RESULTS,
        "max_results": MAX_RESULTS,
    }
    return render(request, "okr/search.html", context)
