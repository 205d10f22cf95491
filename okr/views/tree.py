"""The cascade tree page: a cycle's roots, their key results, the objectives that support those.

Two levels of objectives are loaded with the page (``okr.tree.load_cascade``,
two queries per level); deeper subtrees are loaded with HTMX when opened (or
on their own page without JavaScript). A private objective the viewer may not
see appears only as "Private objective" with its progress.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from okr import pace, selectors
from okr.member_options import member_choices, option_tags
from okr.models import Level, Objective
from okr.tree import ObjectiveNode, cycle_roots, load_cascade
from okr.views.common import kept, page_or_fragment, polling, selected_cycle

PAGE_DEPTH = 2  # levels of objectives loaded with the page; deeper ones on demand


def tree(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    cycles = list(selectors.cycles_of(membership))
    cycle = selected_cycle(request, cycles)
    teams = list(selectors.organization_teams(membership))
    owners = kept(request, "member-choices", (), lambda: member_choices(membership.organization_id))
    team = _pick(teams, request.GET.get("team"))
    owner_id = _pick_id([pk for pk, _ in owners], request.GET.get("owner"))
    is_filtered = team is not None or owner_id is not None

    def rows() -> str:
        """The rows, rendered: the page's heavy part, kept until the next write."""
        nodes: list[ObjectiveNode] = []
        if cycle is not None:
            if is_filtered:
                # A filtered tree lists the matching objectives, each with its subtree;
                # only visible ones, so a filter never reveals who owns a private objective.
                matching = selectors.visible_objectives(membership).filter(cycle=cycle)
                if team is not None:
                    matching = matching.filter(team=team)
                if owner_id is not None:
                    matching = matching.filter(owner_id=owner_id)
                nodes = load_cascade(membership, matching, depth=1)
            else:
                nodes = load_cascade(membership, cycle_roots(membership, cycle), depth=PAGE_DEPTH)
                nodes = by_level(nodes)
        mark_status(nodes, cycles, pace.local_today(request.organization))
        context = {"cycle": cycle, "is_filtered": is_filtered, "nodes": nodes}
        return render_to_string("okr/tree.html#tree-rows", context, request=request)

    parts = (getattr(cycle, "pk", None), getattr(team, "pk", None), owner_id)
    query = request.GET.copy()
    query.pop("poll", None)
    url = reverse("tree", kwargs={"org_slug": org_slug})
    if query:
        url += "?" + query.urlencode()
    context = {
        "cycle": cycle,
        "cycles": cycles,
        "teams": teams,
        "owner_options": option_tags(owners, {str(owner_id)}),
        "team": team,
        "is_filtered": is_filtered,
        "tree_rows": mark_safe(kept(request, "tree-rows", parts, rows)),
        **polling(request, url),
    }
    return page_or_fragment(request, "okr/tree.html", "tree", context)


def tree_branch(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The objectives that support one key result, with their own key results.

    HTMX loads it into a collapsed subtree; without JavaScript it is a page.
    """
    membership = request.membership
    key_result = selectors.get_key_result_for(membership, pk)
    children = Objective.objects.filter(
        organization_id=membership.organization_id, parent_key_result=key_result
    ).order_by("position", "id")
    try:
        indent = min(max(int(request.GET.get("depth", "0")), 0), 60) + 1
    except ValueError:
        indent = 0
    nodes = load_cascade(membership, children, depth=1, indent=indent)
    mark_status(nodes, selectors.cycles_of(membership), pace.local_today(request.organization))
    context = {"key_result": key_result, "nodes": nodes, "cycle": key_result.objective.cycle}
    return page_or_fragment(request, "okr/tree_branch.html", "tree-branch", context)


LEVEL_ORDER = {level: index for index, level in enumerate(Level.values)}  # company, team, personal


def by_level(nodes: list[ObjectiveNode]) -> list[ObjectiveNode]:
    """The roots grouped by level, company first; within a level, the order people set.

    A reorder moves an objective only among its level's siblings, so a company
    objective can never end up below a personal one.
    """
    return sorted(nodes, key=lambda node: LEVEL_ORDER.get(node.objective.level, len(LEVEL_ORDER)))


def mark_status(nodes: list[ObjectiveNode], cycles, today) -> None:
    """Give each visible node, and its key results, the status its numbers say (``okr/pace``).

    Supporting objectives may sit in another cycle: each is judged by its own.
    Iterative, so a cascade of any depth is fine.
    """
    cycle_by_id = {cycle.pk: cycle for cycle in cycles}
    # One expected pace per cycle: the page judges hundreds of rows of one or two cycles.
    expected = {pk: pace.expected_progress(cycle, today) for pk, cycle in cycle_by_id.items()}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        cycle = cycle_by_id.get(node.objective.cycle_id)
        if cycle is None or not node.is_visible:
            continue
        pace_now = expected[cycle.pk]
        node.status = pace.status_for(node.objective.progress, cycle, today, pace_now)
        for kr_node in node.key_results:
            kr_node.status = pace.status_for(kr_node.key_result.progress, cycle, today, pace_now)
            stack.extend(kr_node.children or [])


def _pick(rows: list, raw: str | None):
    wanted = _pick_id([row.pk for row in rows], raw)
    return next((row for row in rows if row.pk == wanted), None)


def _pick_id(ids: list[int], raw: str | None) -> int | None:
    """The id given in the query when it is one of ``ids``; anything else filters nothing."""
    try:
        wanted = int(raw or "")
    except ValueError:
        return None
    return wanted if wanted in ids else None
