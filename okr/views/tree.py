"""The cascade tree: a cycle's roots, their key results, the objectives that support those.

The tree is loaded level by level — one query for a level's objectives, one
for their key results (with the number of objectives each one holds) — so
the page costs the same whatever the size of the organization. Two levels of
objectives are loaded with the page; deeper subtrees are loaded with HTMX
when opened (or on their own page without JavaScript).

A private objective the viewer may not see appears only as "Private
objective" with its progress: no title, owner or subtree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.models import Membership, Team
from okr import permissions, selectors
from okr.forms import member_users
from okr.models import KeyResult, Objective
from okr.templatetags.okr_tags import objective_confidence
from okr.views.common import page_or_fragment, polling, selected_cycle

PAGE_DEPTH = 2  # levels of objectives loaded with the page; deeper ones on demand


@dataclass
class KeyResultNode:
    key_result: KeyResult
    child_count: int
    depth: int  # indentation of its row
    children: list[ObjectiveNode] | None = None  # None: not loaded yet

    @property
    def is_loaded(self) -> bool:
        return self.children is not None


@dataclass
class ObjectiveNode:
    objective: Objective
    is_visible: bool
    depth: int  # indentation of its row: objectives and key results alternate
    key_results: list[KeyResultNode] = field(default_factory=list)

    @property
    def objectives_below(self) -> int:
        return sum(node.child_count for node in self.key_results)

    @property
    def confidence(self) -> str | None:
        return objective_confidence(node.key_result for node in self.key_results)


def with_visibility(queryset: QuerySet[Objective], membership: Membership) -> QuerySet[Objective]:
    """Annotate ``is_visible``: whether the member may see each objective's details."""
    if membership.is_admin:
        return queryset.annotate(is_visible=Value(True, output_field=BooleanField()))
    return queryset.annotate(
        is_visible=Case(
            When(permissions.objective_visibility_filter(membership), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def load_levels(
    membership: Membership,
    objectives: QuerySet[Objective],
    depth: int = PAGE_DEPTH,
    indent: int = 0,
) -> list[ObjectiveNode]:
    """Load ``depth`` levels of objectives, each with its key results, from these down.

    Two queries per level (objectives, key results), whatever the number of rows.
    """
    organization_id = membership.organization_id
    roots = [
        ObjectiveNode(objective, objective.is_visible, indent)
        for objective in with_visibility(objectives, membership).select_related("owner", "team")
    ]
    level = roots
    for remaining in range(depth, 0, -1):
        visible = {node.objective.pk: node for node in level if node.is_visible}
        if not visible:
            break
        key_results = (
            KeyResult.objects.filter(organization_id=organization_id, objective_id__in=visible)
            .select_related("owner")
            .annotate(child_count=Count("child_objectives"))
            .order_by("position", "id")
        )
        parents: dict[int, KeyResultNode] = {}
        for key_result in key_results:
            parent = visible[key_result.objective_id]
            node = KeyResultNode(key_result, key_result.child_count, parent.depth + 1)
            parent.key_results.append(node)
            if node.child_count:
                parents[key_result.pk] = node
        if remaining == 1 or not parents:
            break
        children = Objective.objects.filter(
            organization_id=organization_id, parent_key_result_id__in=parents
        ).order_by("position", "id")
        grouped: dict[int, list[ObjectiveNode]] = defaultdict(list)
        next_level = []
        for objective in with_visibility(children, membership).select_related("owner", "team"):
            parent = parents[objective.parent_key_result_id]
            node = ObjectiveNode(objective, objective.is_visible, parent.depth + 1)
            grouped[objective.parent_key_result_id].append(node)
            next_level.append(node)
        for key_result_id, node in parents.items():
            node.children = grouped.get(key_result_id, [])
        level = next_level
    return roots


def cycle_roots(membership: Membership, cycle) -> QuerySet[Objective]:
    """The cycle's objectives that support no key result of the same cycle."""
    return Objective.objects.filter(organization_id=membership.organization_id, cycle=cycle).filter(
        Q(parent_key_result__isnull=True) | ~Q(parent_key_result__objective__cycle=cycle)
    )


def tree(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    cycle = selected_cycle(request)
    teams = list(Team.objects.filter(organization_id=membership.organization_id))
    owners = list(member_users(membership))
    team = _pick(teams, request.GET.get("team"))
    owner = _pick(owners, request.GET.get("owner"))
    is_filtered = team is not None or owner is not None
    nodes: list[ObjectiveNode] = []
    if cycle is not None:
        if is_filtered:
            # A filtered tree lists the matching objectives, each with its subtree;
            # only visible ones, so a filter never reveals who owns a private objective.
            matching = selectors.visible_objectives(membership).filter(cycle=cycle)
            if team is not None:
                matching = matching.filter(team=team)
            if owner is not None:
                matching = matching.filter(owner=owner)
            nodes = load_levels(membership, matching, depth=1)
        else:
            nodes = load_levels(membership, cycle_roots(membership, cycle))
    query = request.GET.copy()
    query.pop("poll", None)
    url = reverse("tree", kwargs={"org_slug": org_slug})
    if query:
        url += "?" + query.urlencode()
    context = {
        "cycle": cycle,
        "cycles": list(selectors.cycles_of(membership)),
        "teams": teams,
        "owners": owners,
        "team": team,
        "owner": owner,
        "is_filtered": is_filtered,
        "nodes": nodes,
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
    nodes = load_levels(membership, children, depth=1, indent=indent)
    context = {"key_result": key_result, "nodes": nodes, "cycle": key_result.objective.cycle}
    return page_or_fragment(request, "okr/tree_branch.html", "tree-branch", context)


def _pick(rows: list, raw: str | None):
    if not raw:
        return None
    try:
        wanted = int(raw)
    except ValueError:
        return None
    return next((row for row in rows if row.pk == wanted), None)
