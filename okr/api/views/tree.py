"""``GET /api/v1/orgs/<org>/tree/?cycle=<id>``: the cascade of a cycle (docs/api.md).

``okr.tree`` loads every level from the cycle's roots; this view only turns the
nodes into JSON. Each objective carries its fields and ``key_results``; each key
result its fields and ``children`` — the objectives that support it, whatever
their cycle. An objective the viewer may not see is only ``{"private": true,
"progress": p}``: its progress still counts, its name and subtree do not exist.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from okr import selectors
from okr.api import serializers
from okr.api.views.base import TenantMixin, id_filter
from okr.cycle_health import PaceReader
from okr.progress import rounded
from okr.tree import ObjectiveNode, cycle_roots, load_cascade


class TreeView(TenantMixin, generics.GenericAPIView):
    serializer_class = serializers.TreeSerializer
    pagination_class = None

    @extend_schema(
        summary="The cascade of a cycle as nested JSON",
        description=(
            "The roots are the cycle's objectives that support no key result of the same "
            "cycle. Each objective carries its fields and `key_results`; each key result its "
            "fields and `children`, the objectives that support it, whatever their cycle. A "
            'private objective you may not see is only `{"private": true, "progress": p}`. '
            "Without `cycle`, or with another organization's cycle: 400."
        ),
        parameters=[
            OpenApiParameter(
                "cycle", int, OpenApiParameter.QUERY, required=True, description="The cycle's id."
            )
        ],
    )
    def get(self, request, org_slug: str) -> Response:
        if not request.query_params.get("cycle"):
            raise ValidationError({"cycle": ["This query parameter is required."]})
        cycle_id = id_filter(request, "cycle")
        cycle = selectors.cycles_of(self.membership).filter(pk=cycle_id).first()
        if cycle is None:
            raise ValidationError(
                {
                    "cycle": [
                        f'Invalid pk "{request.query_params["cycle"]}" - object does not exist.'
                    ]
                }
            )
        roots = cycle_roots(self.membership, cycle)
        nodes = load_cascade(self.membership, roots, depth=None, with_people=False)
        pace = PaceReader(self.membership.organization)
        pace.remember_cycle(cycle)
        key_results = []
        pending = list(nodes)
        while pending:  # iterative: the cascade has no depth limit
            node = pending.pop()
            if node.is_visible:  # a visible objective came with all its key results
                pace.remember_key_results(
                    node.objective, [child.key_result for child in node.key_results]
                )
            for child in node.key_results:
                child.key_result.pace_cycle_id = node.objective.cycle_id
                key_results.append(child.key_result)
                pending.extend(child.children or [])
        pace.load_forecasts(key_results)
        context = {"membership": self.membership, "pace": pace}
        objective_fields = serializers.ObjectiveSerializer(context=context)
        key_result_fields = serializers.KeyResultSerializer(context=context)

        def as_json(node: ObjectiveNode) -> dict:
            if not node.is_visible:
                return {"private": True, "progress": rounded(node.objective.progress)}
            return {
                **objective_fields.to_representation(node.objective),
                "key_results": [
                    {
                        **key_result_fields.to_representation(child.key_result),
                        "children": [as_json(objective) for objective in child.children or []],
                    }
                    for child in node.key_results
                ],
            }

        return Response({"cycle": cycle.pk, "objectives": [as_json(node) for node in nodes]})
