"""The dashboard: where the company stands, what I owe, what just happened."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import Membership
from okr import selectors
from okr.forms import CheckInForm
from okr.models import KeyResult, Level
from okr.reminders import due_key_results_for
from okr.views.common import page_or_fragment, polling, selected_cycle


def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    cycle = selected_cycle(request)
    cycles = list(selectors.cycles_of(membership))
    objectives = []
    if cycle is not None:
        objectives = list(
            selectors.visible_objectives(membership)
            .filter(cycle=cycle, level=Level.COMPANY)
            .select_related("owner")
            .prefetch_related(
                Prefetch(
                    "key_results", queryset=KeyResult.objects.only("objective_id", "confidence")
                )
            )
        )
    url = reverse("dashboard", kwargs={"org_slug": org_slug})
    if cycle is not None:
        url += f"?cycle={cycle.pk}"
    context = {
        "cycle": cycle,
        "cycles": cycles,
        "objectives": objectives,
        **due_context(membership),
        "activity": selectors.recent_activity(membership),
        # The last step of getting started: an admin alone in the organization.
        "is_alone": membership.is_admin
        and not Membership.objects.active()
        .filter(organization_id=membership.organization_id)
        .exclude(pk=membership.pk)
        .exists(),
        **polling(request, url),
    }
    return page_or_fragment(request, "okr/dashboard.html", "company-objectives", context)


DUE_ON_DASHBOARD = 20


def due_context(membership) -> dict:
    """The first due key results; "My OKRs" lists them all."""
    due = due_items(membership, limit=DUE_ON_DASHBOARD + 1)
    return {"due": due[:DUE_ON_DASHBOARD], "more_due": len(due) > DUE_ON_DASHBOARD}


def due_items(membership, limit: int | None = None) -> list[KeyResult]:
    """The member's due key results, each with its own inline check-in form."""
    due = list(due_key_results_for(membership)[:limit])
    for key_result in due:
        key_result.check_in_form = CheckInForm(
            key_result=key_result, prefix_id=f"due{key_result.pk}"
        )
    return due
