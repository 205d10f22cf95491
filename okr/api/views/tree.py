"""``GET /api/v1/orgs/<org>/tree/?cycle=<id>``: the cascade of a cycle."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from okr import selectors
from okr.api import serializers
from okr.api.tree import cycle_tree
from okr.api.views.base import TenantMixin, id_filter


class TreeView(TenantMixin, generics.GenericAPIView):
    serializer_class = serializers.TreeSerializer
    pagination_class = None

    @extend_schema(
        summary="The cascade of a cycle as nested JSON",
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
        return Response(cycle_tree(self.membership, cycle))
