"""The cascade of one cycle as nested JSON (SPEC section 7), one query per level.

The roots are the cycle's objectives that support no key result of the same
cycle. Each objective carries its fields and ``key_results``; each key result
its fields and ``children`` — the objectives that support it, whatever their
cycle. An objective the viewer may not see is only ``{"private": true,
"progress": p}``: its progress still counts, its name and subtree do not exist.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value

from accounts.models import Membership
from okr import permissions
from okr.api.serializers import KeyResultSerializer, ObjectiveSerializer
from okr.models import Cycle, KeyResult, Objective
from okr.progress import rounded


def _objectives_with_visibility(membership: Membership) -> QuerySet[Objective]:
    """The organization's objectives, each annotated ``is_visible`` for this member."""
    visible = permissions.objective_visibility_filter(membership)
    flag = (
        Value(True)
        if not visible  # an admin sees everything: Q() is empty
        else ExpressionWrapper(visible, output_field=BooleanField())
    )
    return Objective.objects.filter(organization_id=membership.organization_id).annotate(
        is_visible=flag
    )


def cycle_tree(membership: Membership, cycle: Cycle) -> dict:
    """``{"cycle": id, "objectives": [...]}`` as this member may see it."""
    objectives = _objectives_with_visibility(membership)
    roots = list(
        objectives.filter(cycle=cycle)
        .filter(Q(parent_key_result__isnull=True) | ~Q(parent_key_result__objective__cycle=cycle))
        .order_by("position", "id")
    )
    context = {"membership": membership}
    objective_fields = ObjectiveSerializer(context=context)
    key_result_fields = KeyResultSerializer(context=context)

    def objective_node(objective: Objective) -> dict:
        if not objective.is_visible:
            return {"private": True, "progress": rounded(objective.progress)}
        return {**objective_fields.to_representation(objective), "key_results": []}

    nodes = [objective_node(objective) for objective in roots]
    level = list(zip(roots, nodes, strict=True))
    seen = {objective.pk for objective in roots}
    # Each pass costs two queries (the level's key results, then the objectives
    # below them), whatever the number of rows.
    while level:
        visible = {objective.pk: node for objective, node in level if objective.is_visible}
        key_results = KeyResult.objects.filter(objective_id__in=list(visible)).order_by(
            "position", "id"
        )
        key_result_nodes = {}
        for key_result in key_results:
            node = {**key_result_fields.to_representation(key_result), "children": []}
            visible[key_result.objective_id]["key_results"].append(node)
            key_result_nodes[key_result.pk] = node
        if not key_result_nodes:
            break
        children_of = defaultdict(list)
        children = objectives.filter(parent_key_result_id__in=list(key_result_nodes)).order_by(
            "position", "id"
        )
        level = []
        for child in children:
            if child.pk in seen:  # the services refuse loops; never walk one anyway
                continue
            seen.add(child.pk)
            node = objective_node(child)
            children_of[child.parent_key_result_id].append(node)
            level.append((child, node))
        for key_result_id, child_nodes in children_of.items():
            key_result_nodes[key_result_id]["children"] = child_nodes
    return {"cycle": cycle.pk, "objectives": nodes}
