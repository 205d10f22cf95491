"""The cycle admin pages (``/o/<org-slug>/admin/cycles/…``, routed from ``okr/views/admin/urls.py``).

List, create, edit, activate, close, reopen, delete — each through one
service in ``okr/services/``, which holds the rules (dates, closed cycles
read-only, no deletion while objectives use the cycle).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Value, When
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import admin_page
from accounts.forms import CycleForm, add_service_errors
from okr import pace, selectors, services
from okr.forms import CycleCloseForm
from okr.models import CycleStatus, KeyResult, Level
from okr.views.common import is_ending

# The buttons a cycle offers, by status: (new status, label).
STATUS_ACTIONS = {
    CycleStatus.PLANNING: [(CycleStatus.ACTIVE, "Activate")],
    CycleStatus.ACTIVE: [(CycleStatus.CLOSED, "Close")],
    CycleStatus.CLOSED: [(CycleStatus.ACTIVE, "Reopen")],
}
STATUS_VERBS = {
    CycleStatus.ACTIVE: "active",
    CycleStatus.CLOSED: "closed",
    CycleStatus.PLANNING: "in planning",
}


def _cycles_with_counts(membership) -> list:
    cycles = list(
        selectors.cycles_newest_first(membership).annotate(objective_count=Count("objectives"))
    )
    current = selectors.current_cycle(membership)
    today = pace.local_today(membership.organization)
    for cycle in cycles:
        cycle.actions = STATUS_ACTIONS[CycleStatus(cycle.status)]
        cycle.is_current = current is not None and cycle.pk == current.pk
        cycle.has_review = is_ending(cycle, today)
    return cycles


def quarter_of(day: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The calendar quarter containing ``day``: its name ("Q4 2026"), first and last day."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        following = datetime.date(day.year + 1, 1, 1)
    else:
        following = datetime.date(day.year, first_month + 3, 1)
    return f"Q{(first_month - 1) // 3 + 1} {day.year}", start, following - datetime.timedelta(1)


def suggested_cycle(organization, cycles: list) -> dict:
    """Prefill the form with the first quarter from today on that has no cycle yet.

    A new organization creates its first cycle in one click; later, the next
    quarter is one click away too.
    """
    taken = {(cycle.start_date, cycle.end_date) for cycle in cycles}
    day = organization.local_date()
    for _ in range(8):
        name, start, end = quarter_of(day)
        if (start, end) not in taken:
            return {"name": name, "start_date": start, "end_date": end}
        day = end + datetime.timedelta(1)
    return {}


@admin_page
def cycles(request):
    """The organization's cycles, newest first, and the form to create one (in planning)."""
    rows = _cycles_with_counts(request.membership)
    form = CycleForm(request.POST or None, initial=suggested_cycle(request.organization, rows))
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Cycle “{cycle.name}” is created. Activate it when it starts."
            )
            return redirect("admin_cycles", org_slug=request.organization.slug)
    context = {"form": form, "cycles": rows}
    return render(request, "accounts/cycles.html", context)


@admin_page
def cycle_edit(request, cycle_id: int):
    cycle = selectors.get_cycle_for(request.membership, cycle_id)
    initial = {"name": cycle.name, "start_date": cycle.start_date, "end_date": cycle.end_date}
    form = CycleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_update(actor=request.membership, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Cycle “{cycle.name}” is saved.")
            return redirect("admin_cycles", org_slug=request.organization.slug)
    return render(request, "accounts/cycle_form.html", {"form": form, "cycle": cycle})


@admin_page
@require_POST
def cycle_status(request, cycle_id: int):
    """Activate, close or reopen a cycle; under HTMX only its row is swapped."""
    cycle = selectors.get_cycle_for(request.membership, cycle_id)
    status = request.POST.get("status", "")
    error_messages: list[str] = []
    if status not in CycleStatus.values:
        error_messages = [f"“{status}” is not a cycle status."]
    else:
        try:
            services.cycle_update(actor=request.membership, cycle=cycle, status=status)
        except ValidationError as error:
            error_messages = error.messages
    if not error_messages and not request.htmx:
        messages.success(request, f"Cycle “{cycle.name}” is {STATUS_VERBS[CycleStatus(status)]}.")
        return redirect("admin_cycles", org_slug=request.organization.slug)
    rows = _cycles_with_counts(request.membership)
    for row in rows:
        row.errors = error_messages if row.pk == cycle.pk else []
    if request.htmx:
        row = next(row for row in rows if row.pk == cycle.pk)
        return render(request, "accounts/cycles.html#cycle-row", {"cycle": row})
    form = CycleForm(initial=suggested_cycle(request.organization, rows))
    return render(request, "accounts/cycles.html", {"form": form, "cycles": rows})


@admin_page
def cycle_delete(request, cycle_id: int):
    cycle = selectors.get_cycle_for(request.membership, cycle_id)
    error_messages: list[str] = []
    if request.method == "POST":
        try:
            services.cycle_delete(actor=request.membership, cycle=cycle)
        except ValidationError as error:
            error_messages = error.messages
        else:
            messages.success(request, f"Cycle “{cycle.name}” is deleted.")
            return redirect("admin_cycles", org_slug=request.organization.slug)
    context = {
        "cycle": cycle,
        "errors": error_messages,
        "objective_count": cycle.objectives.count(),
    }
    return render(request, "accounts/cycle_confirm_delete.html", context)


def _unfinished(cycle):
    """The cycle's key results below 100 %, by objective: company, then team, then personal."""
    return (
        KeyResult.objects.filter(
            organization_id=cycle.organization_id, objective__cycle=cycle, progress__lt=100
        )
        .select_related("objective", "objective__team", "owner")
        .annotate(
            level_rank=Case(
                When(objective__level=Level.COMPANY, then=Value(0)),
                When(objective__level=Level.TEAM, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("level_rank", "objective__position", "objective_id", "position", "id")
    )


def _targets(membership, cycle):
    """Where unfinished key results may go: the organization's other cycles that are not closed."""
    return (
        selectors.cycles_of(membership)
        .exclude(pk=cycle.pk)
        .exclude(status=CycleStatus.CLOSED)
        .order_by("start_date", "id")
    )


@admin_page
def cycle_close(request, cycle_id: int):
    """Close a cycle, carrying its ticked unfinished key results into another cycle, in one step.

    Without JavaScript: a plain form, POST and redirect. Nothing is written
    unless everything is: the roll-over and the close share one transaction.
    """
    cycle = selectors.get_cycle_for(request.membership, cycle_id)
    unfinished = _unfinished(cycle)
    targets = _targets(request.membership, cycle)
    if request.method == "POST":
        form = CycleCloseForm(request.POST, cycle=cycle, unfinished=unfinished, targets=targets)
    else:
        following = targets.filter(start_date__gte=cycle.start_date).first() or targets.first()
        form = CycleCloseForm(
            cycle=cycle,
            unfinished=unfinished,
            targets=targets,
            initial={"key_results": [kr.pk for kr in unfinished], "to_cycle": following},
        )
    if request.method == "POST" and cycle.status == CycleStatus.ACTIVE and form.is_valid():
        chosen = list(form.cleaned_data["key_results"])
        to_cycle = form.cleaned_data["to_cycle"]
        try:
            with transaction.atomic():
                if chosen:
                    services.cycle_roll_over(
                        actor=request.membership,
                        cycle=cycle,
                        to_cycle=to_cycle,
                        key_result_ids=[key_result.pk for key_result in chosen],
                    )
                services.cycle_update(
                    actor=request.membership, cycle=cycle, status=CycleStatus.CLOSED
                )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"status": None})
        else:
            carried = (
                f" {len(chosen)} key result{'' if len(chosen) == 1 else 's'} carried over "
                f"into {to_cycle.name}."
                if chosen
                else ""
            )
            messages.success(request, f"Cycle “{cycle.name}” is closed.{carried}")
            return redirect("admin_cycles", org_slug=request.organization.slug)
    groups = _by_objective(form, unfinished)
    context = {
        "cycle": cycle,
        "form": form,
        "groups": groups,
        "has_targets": targets.exists(),
        "is_closable": cycle.status == CycleStatus.ACTIVE,
    }
    return render(request, "accounts/cycle_close.html", context)


def _by_objective(form, unfinished) -> list[dict]:
    """The checkboxes grouped under their objectives, each ticked as the form says."""
    if form.is_bound:
        ticked = {str(value) for value in form.data.getlist("key_results")}
    else:
        ticked = {str(value) for value in form.initial.get("key_results", [])}
    groups: list[dict] = []
    for key_result in unfinished:
        if not groups or groups[-1]["objective"].pk != key_result.objective_id:
            groups.append({"objective": key_result.objective, "key_results": []})
        key_result.is_ticked = str(key_result.pk) in ticked
        groups[-1]["key_results"].append(key_result)
    return groups
