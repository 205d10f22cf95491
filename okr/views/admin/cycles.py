"""The cycle admin pages (``/o/<org-slug>/admin/cycles/…``, routed from ``okr/views/admin/urls.py``).

List, create, edit, activate, close, reopen, delete — each through one
service in ``okr/services/``, which holds the rules (dates, closed cycles
read-only, no deletion while objectives use the cycle).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import admin_page
from accounts.forms import CycleForm, add_service_errors
from okr import pace, selectors, services
from okr.models import CycleStatus
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
        selectors.cycles_of(membership)
        .annotate(objective_count=Count("objectives"))
        .order_by("-start_date", "-id")
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
