"""The dashboard, the page a manager opens on Monday: are we on track, where are we behind,
what do I owe, what just happened.

The numbers come from the cycle summary (``okr.cycle_health.cycle_summary``, the
same reader as the API's summary) and ``okr.pace``; this view only arranges
them. See docs/pages.md.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from okr import charts, pace, selectors
from okr.activity import describe_changes
from okr.cycle_health import cycle_summary
from okr.forms import CheckInForm
from okr.models import Cycle, KeyResult, Level
from okr.reminders import due_key_results_for
from okr.views.common import kept, page_or_fragment, polling, review_url, selected_cycle


def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    cycles = list(selectors.cycles_of(membership))
    cycle = selected_cycle(request, cycles)
    url = reverse("dashboard", kwargs={"org_slug": org_slug})
    if cycle is not None:
        url += f"?cycle={cycle.pk}"
    today = pace.local_today(request.organization)
    # HTMX asks for one widget at a time: the company objectives skip the summary.
    wants_health = not request.htmx or request.GET.get("part") == "health"
    health = health_context(request, cycle) if cycle is not None and wants_health else {}
    health_polling = polling(request, f"{url}{'&' if '?' in url else '?'}part=health")
    # What the rows read is kept until the next write (``common.kept``); forms are per request.
    rows = kept(
        request,
        "dashboard-rows",
        (getattr(cycle, "pk", None),),
        lambda: dashboard_rows(membership, cycle, today),
    )
    context = {
        "cycle": cycle,
        "cycles": cycles,
        **health,
        "health_refresh_url": health_polling["refresh_url"],
        "health_poll_url": health_polling["poll_url"],
        "review_url": review_url(request, cycle, today),
        "highest_level": selectors.highest_level_for(membership),
        **rows,
        "due": with_check_in_forms(rows["due"]),
        **polling(request, url),
    }
    fragment = "cycle-health" if request.GET.get("part") == "health" else "company-objectives"
    return page_or_fragment(request, "okr/dashboard.html", fragment, context)


def dashboard_rows(membership, cycle: Cycle | None, today) -> dict:
    """The company objectives with their status, the first due key results, recent activity,
    and whether an admin is still alone (the last step of getting started)."""
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
    for objective in objectives:
        objective.status = pace.status_for(objective.progress, cycle, today)
    due = list(due_key_results_for(membership)[: DUE_ON_DASHBOARD + 1])
    return {
        "objectives": objectives,
        "due": due[:DUE_ON_DASHBOARD],
        "more_due": len(due) > DUE_ON_DASHBOARD,
        "activity": describe_changes(
            selectors.recent_activity(membership, limit=RECENT_ON_DASHBOARD)
        ),
        # The last step of getting started: an admin alone in the organization.
        "is_alone": membership.is_admin and not selectors.has_other_active_members(membership),
    }


RECENT_ON_DASHBOARD = 5
VERDICTS = {
    pace.Status.DONE: "Done",
    pace.Status.ON_TRACK: "On track",
    pace.Status.AT_RISK: "A little behind",
    pace.Status.OFF_TRACK: "Behind",
    pace.Status.NOT_STARTED: "Not started",
}


def health_context(request, cycle: Cycle) -> dict:
    """The cycle summary, arranged for the page: pace bar, stacked status bars, the laggards.

    The summary reads every row of the cycle (80 % of the page's time at 1,200
    objectives): it is kept until the next write (``common.kept``).
    """
    membership = request.membership
    summary = kept(request, "cycle-summary", (cycle.pk,), lambda: cycle_summary(membership, cycle))
    groups = []
    for key, noun, counts in (
        ("key-results", "key results", summary.key_results),
        ("objectives", "objectives", summary.objectives),
    ):
        groups.append(
            {
                "key": key,
                "label": noun,
                "count": sum(counts.values()),
                "bar": charts.status_bar(counts, noun=noun),
                "items": [
                    {
                        "css": name.replace("_", "-"),
                        "label": charts.STATUS_LABELS[name],
                        "count": counts.get(name, 0),
                    }
                    for name in charts.STATUS_ORDER
                ],
            }
        )
    behind = []
    for row in summary.behind:
        objective = row.objective
        objective.gap = row.gap
        objective.status = pace.status_for(objective.progress, cycle, summary.today)
        behind.append(objective)
    return {
        "health": {
            "progress": summary.progress,
            "expected": summary.expected_progress,
            "status": summary.status,
            "verdict": VERDICTS[summary.status],
            "pace_bar": charts.pace_bar(
                progress=summary.progress,
                expected=summary.expected_progress,
                status=summary.status,
            ),
            "groups": groups,
            "check_in_rate": summary.checked_in_within_cadence * 100,
        },
        "behind": behind,
    }


DUE_ON_DASHBOARD = 20


def due_items(membership, limit: int | None = None) -> list[KeyResult]:
    """The member's due key results, each with its own inline check-in form."""
    return with_check_in_forms(list(due_key_results_for(membership)[:limit]))


def with_check_in_forms(key_results: list[KeyResult]) -> list[KeyResult]:
    for key_result in key_results:
        key_result.check_in_form = CheckInForm(
            key_result=key_result, prefix_id=f"due{key_result.pk}"
        )
    return key_results
