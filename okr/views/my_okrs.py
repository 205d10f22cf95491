"""My OKRs: what I own, across cycles (active ones first), and what I must check in on."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okr import selectors
from okr.models import CycleStatus, KeyResult
from okr.views.dashboard import due_items

CYCLE_ORDER = Case(
    When(cycle__status=CycleStatus.ACTIVE, then=Value(0)),
    When(cycle__status=CycleStatus.PLANNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def my_okrs(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    user_id = membership.user_id
    objectives = list(
        selectors.visible_objectives(membership)
        .filter(owner_id=user_id)
        .select_related("cycle", "team")
        .alias(cycle_order=CYCLE_ORDER)
        .order_by("cycle_order", "-cycle__start_date", "cycle_id", "position", "id")
    )
    key_results = list(
        selectors.visible_key_results(membership)
        .filter(owner_id=user_id)
        .select_related("objective", "objective__cycle")
        .alias(
            cycle_order=Case(
                When(objective__cycle__status=CycleStatus.ACTIVE, then=Value(0)),
                When(objective__cycle__status=CycleStatus.PLANNING, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("cycle_order", "-objective__cycle__start_date", "objective_id", "position", "id")
    )
    for key_result in key_results:
        decorate_my_key_result(membership, key_result)
    context = {
        "objectives": objectives,
        "key_results": key_results,
        "due": due_items(membership),
    }
    return render(request, "okr/my_okrs.html", context)


def decorate_my_key_result(membership, key_result: KeyResult) -> KeyResult:
    """Whether the row offers "Check in": a measured key result of a cycle still open."""
    key_result.can_check_in = selectors.may_check_in_here(membership, key_result)
    return key_result


def my_key_result_row(request: HttpRequest, key_result: KeyResult, **extra) -> HttpResponse:
    """The row of "Key results I own" (``#my-key-result-<id>``), for HTMX to swap."""
    membership = request.membership
    key_result = (
        selectors.visible_key_results(membership)
        .select_related("objective", "objective__cycle")
        .get(pk=key_result.pk)
    )
    decorate_my_key_result(membership, key_result)
    context = {"kr": key_result, **extra}
    return render(request, "okr/my_okrs.html#my-key-result-row", context)
