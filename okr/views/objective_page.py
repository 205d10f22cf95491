"""The objective page: the header, the key results with their history and charts, the
objectives that support them, the activity; and what the key-result views share with it.

What the whole page reads, and the HTML of its rows, is kept until the next write
(``common.kept``); the htmx fragments (the header, the activity) read fresh.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from okr import pace, selectors
from okr.activity import describe_changes
from okr.charts import check_in_points, progress_chart
from okr.forms import CheckInForm
from okr.models import CheckIn, KeyResult, Objective
from okr.tree import with_visibility
from okr.views.common import is_ending, kept, kept_html, page_or_fragment, polling

TEMPLATE = "okr/objective_detail.html"


def objective_url(objective: Objective) -> str:
    return reverse(
        "objective_detail",
        kwargs={"org_slug": objective.organization.slug, "pk": objective.pk},
    )


def org_url(request: HttpRequest, name: str, **kwargs) -> str:
    """A URL of the request's organization."""
    return reverse(name, kwargs={"org_slug": request.organization.slug, **kwargs})


def decorate_key_result(request: HttpRequest, key_result: KeyResult, objective: Objective, **forms):
    """Give a key result row what it shows: history, chart, rights and its check-in form."""
    membership = request.membership
    key_result.objective = objective
    history = list(key_result.check_ins.all())  # prefetched, oldest first
    key_result.history = list(reversed(history))
    cycle = objective.cycle
    today = pace.local_today(request.organization)
    key_result.status = pace.status_for(key_result.progress, cycle, today)
    key_result.forecast = pace.forecast(history, cycle, request.organization.tzinfo, key_result)
    key_result.chart = None
    if not key_result.is_aligned:
        key_result.chart = progress_chart(
            cycle=cycle,
            points=check_in_points(key_result, history),
            today=today,
            expected=pace.expected_progress(cycle, today),
            forecast=key_result.forecast.progress if key_result.forecast else None,
            title=f"Progress of {key_result.title}",
        )
    is_open = not objective.cycle.is_closed
    key_result.can_check_in = (
        is_open and not key_result.is_aligned and selectors.may_check_in(membership, key_result)
    )
    key_result.check_in_form = forms.get("check_in_form") or CheckInForm(
        key_result=key_result, prefix_id=f"kr{key_result.pk}"
    )
    key_result.check_in_open = "check_in_form" in forms
    # At the quarter's end the row offers "Grade", on the cycle's review page.
    key_result.grade_url = None
    if is_ending(cycle, today) and selectors.may_check_in(membership, key_result):
        key_result.grade_url = (
            reverse(
                "cycle_review",
                kwargs={"org_slug": request.organization.slug, "cycle_id": cycle.pk},
            )
            + f"#review-kr-{key_result.pk}"
        )
    return key_result


def key_results_of(objective: Objective, *, only: int | None = None) -> list[KeyResult]:
    """The objective's key results (or the one ``only``) with owners and check-ins, oldest first."""
    key_results = objective.key_results.select_related("owner").prefetch_related(
        Prefetch(
            "check_ins",
            queryset=CheckIn.objects.select_related("author").order_by("created_at", "id"),
        )
    )
    if only is not None:
        key_results = key_results.filter(pk=only)
    key_results = list(key_results)
    _attach_roll_over_sources(objective, key_results)
    return key_results


def _attach_roll_over_sources(objective: Objective, key_results: list[KeyResult]) -> None:
    """The key results these were rolled over from, read only when there are any.

    Joined into every page's query, the four tables cost more than the rest of it.
    """
    wanted = {kr.rolled_over_from_id for kr in key_results if kr.rolled_over_from_id}
    if not wanted:
        return
    sources = (
        KeyResult.objects.filter(organization_id=objective.organization_id)
        .select_related("objective__cycle")
        .in_bulk(wanted)
    )
    for key_result in key_results:
        if key_result.rolled_over_from_id:
            key_result.rolled_over_from = sources.get(key_result.rolled_over_from_id)


def objective_context(
    request: HttpRequest, objective: Objective, *, surroundings: dict | None = None, **extra
) -> dict:
    """What the objective page's header and rows share. ``surroundings``: already read."""
    today = pace.local_today(request.organization)
    url = org_url(request, "objective_detail", pk=objective.pk)
    if surroundings is None:
        surroundings = objective_surroundings(request.membership, objective)
    return {
        "objective": objective,
        "cycle": objective.cycle,
        "status": pace.status_for(objective.progress, objective.cycle, today),
        "expected": pace.expected_progress(objective.cycle, today),
        "objective_activity_url": url + "?part=activity",
        **surroundings,
        **polling(request, url),
        **extra,
    }


def objective_surroundings(membership, objective: Objective) -> dict:
    """What the header reads around the objective: the key result it supports (if the
    member may see it), the objective it was rolled over from, the moves it can make."""
    parent = None
    if objective.parent_key_result_id:
        parent = (
            selectors.visible_key_results(membership)
            .select_related("objective", "objective__cycle")
            .filter(pk=objective.parent_key_result_id)
            .first()
        )
    if parent is not None:
        parent.can_switch = not parent.is_aligned and selectors.may_edit_objective(
            membership, parent.objective
        )
    rolled_over_from = None
    if objective.rolled_over_from_id:
        rolled_over_from = (
            selectors.visible_objectives(membership)
            .select_related("cycle")
            .filter(pk=objective.rolled_over_from_id)
            .first()
        )
    return {
        "rolled_over_from": rolled_over_from,
        "parent_key_result": parent,
        "parent_is_private": objective.parent_key_result_id is not None and parent is None,
        **selectors.objective_actions_for(membership, objective),
    }


def objective_activity(membership, objective: Objective) -> list:
    """The latest activity on one objective that the member may see."""
    rows = list(
        selectors.visible_activity(membership)
        .filter(objective=objective)
        .select_related("actor")[:30]
    )
    describe_changes(rows)
    return rows


def objective_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The objective page. HTMX asks for the header or the activity only (they re-fetch
    themselves after check-ins)."""
    membership = request.membership
    objective = selectors.get_objective_for(membership, pk)
    if request.htmx and request.GET.get("part") == "activity":
        context = objective_context(request, objective)
        context["activity"] = objective_activity(membership, objective)
        return page_or_fragment(request, TEMPLATE, "objective-activity", context)
    if request.htmx:
        context = objective_context(request, objective)
        context["key_results"] = list(objective.key_results.only("confidence"))
        return page_or_fragment(request, TEMPLATE, "objective-header", context)
    # What the whole page reads, and the HTML of its rows, are kept until the next
    # write (``common.kept``), for the viewer; the add form is fetched when opened.
    rows = kept(request, "objective-page", (objective.pk,), lambda: _rows(request, objective))
    context = objective_context(request, objective, surroundings=rows["surroundings"])
    context.update(rows)

    def key_results_html(csrf_token: str) -> str:
        for key_result in rows["key_results"]:
            key_result.check_in_form = CheckInForm(
                key_result=key_result, prefix_id=f"kr{key_result.pk}"
            )
        section = {**context, "csrf_token": csrf_token}
        return render_to_string(f"{TEMPLATE}#key-results", section, request=request)

    parts = (objective.pk, request.get_full_path())
    context["key_results_html"] = kept_html(
        request, "objective-key-results", parts, key_results_html
    )
    return render(request, TEMPLATE, context)


def _rows(request: HttpRequest, objective: Objective) -> dict:
    """The key results (history, chart, supporters), the activity and the surroundings
    (``objective_surroundings``) of the objective page."""
    membership = request.membership
    key_results = [
        decorate_key_result(request, key_result, objective)
        for key_result in key_results_of(objective)
    ]
    mark_ends(key_results)
    children = with_visibility(
        Objective.objects.filter(
            organization_id=membership.organization_id, parent_key_result__objective=objective
        ).select_related("owner", "team", "cycle"),
        membership,
    )
    children_of = defaultdict(list)
    for child in children:
        children_of[child.parent_key_result_id].append(child)
    for key_result in key_results:
        key_result.supporters = children_of.get(key_result.pk, [])
        key_result.check_in_form = None  # a form is the request's own, never kept
    return {
        "key_results": key_results,
        "supporters": [child for group in children_of.values() for child in group],
        "activity": objective_activity(membership, objective),
        "surroundings": objective_surroundings(membership, objective),
    }


def mark_ends(rows: list, ids: list[int] | None = None) -> None:
    """Give each row ``is_first``/``is_last`` among its siblings, so that a page offers
    only the moves that can happen. ``ids``: the siblings' ids in order, when
    ``rows`` is not the whole list."""
    ids = ids if ids is not None else [row.pk for row in rows]
    for row in rows:
        row.is_first = bool(ids) and ids[0] == row.pk
        row.is_last = bool(ids) and ids[-1] == row.pk
