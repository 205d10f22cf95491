"""Objectives, key results, check-ins and the activity log."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response

from okr import permissions, selectors, services
from okr.api import serializers
from okr.api.views.base import TenantMixin, choice_filter, id_filter
from okr.models import Activity, CheckIn, KeyResult, Level, Objective
from okr.selectors import parse_id


def _id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.QUERY, description=description)


class _OkrViewSet(
    TenantMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Create, update and delete are each view's own: they check rights before input."""

    def partial_update(self, request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)


def require_create_rights(membership, data, *, of: str) -> None:
    """Refuse (403) before validating (400) a create the role may not make (401 → 404 → 403 → 400).

    An objective's body names its level and owner (the requester when left out); a key
    result's names its objective, whose rights it follows. A body too malformed to tell
    is left to the serializer's 400.
    """
    if not isinstance(data, dict):
        return
    if of == "key_result":
        objective_id = (
            None if isinstance(data.get("objective"), bool) else parse_id(data.get("objective"))
        )
        objective = (
            selectors.visible_objectives(membership).filter(pk=objective_id).first()
            if objective_id is not None
            else None
        )
        if objective is not None:
            permissions.require_objective_rights(
                membership, level=objective.level, owner_id=objective.owner_id
            )
        return
    if data.get("level") not in Level.values:
        return
    owner = data.get("owner")
    if owner is None:
        owner_id = membership.user_id
    elif isinstance(owner, bool) or parse_id(owner) is None:
        return
    else:
        owner_id = parse_id(owner)
    permissions.require_objective_rights(membership, level=data["level"], owner_id=owner_id)


@extend_schema_view(
    list=extend_schema(
        summary="List the objectives you can see",
        parameters=[
            _id_parameter("cycle", "Only this cycle's objectives."),
            _id_parameter("team", "Only this team's objectives."),
            _id_parameter("owner", "Only the objectives this user owns."),
            OpenApiParameter(
                "level",
                {"$ref": "#/components/schemas/LevelEnum"},
                OpenApiParameter.QUERY,
                description="Only the objectives of this level.",
            ),
            _id_parameter("parent_key_result", "Only the objectives that support this key result."),
        ],
    ),
    retrieve=extend_schema(summary="One objective"),
    create=extend_schema(
        summary="Create an objective",
        description=(
            "Your role is checked first: a level or owner you may not create for is a 403, "
            "before the body is validated. `owner` defaults to you."
        ),
        examples=[
            OpenApiExample(
                "A team objective aligned to a company key result",
                request_only=True,
                value={
                    "cycle": 1,
                    "title": "Make the platform boringly reliable",
                    "level": "team",
                    "team": 2,
                    "parent_key_result": 7,
                },
            )
        ],
    ),
    update=extend_schema(summary="Edit an objective"),
    partial_update=extend_schema(summary="Edit some of an objective's fields"),
    destroy=extend_schema(summary="Delete an objective with its key results and check-ins"),
)
class ObjectiveViewSet(_OkrViewSet):
    queryset = Objective.objects.none()
    serializer_class = serializers.ObjectiveSerializer

    def get_queryset(self):
        objectives = selectors.visible_objectives(self.membership)
        if self.action != "list":
            return objectives
        request = self.request
        for name in ("cycle", "team", "owner", "parent_key_result"):
            value = id_filter(request, name)
            if value is not None:
                objectives = objectives.filter(**{f"{name}_id": value})
        level = choice_filter(request, "level", Level.values)
        if level is not None:
            objectives = objectives.filter(level=level)
        # Each row's cycle comes along: its pace is read without a query of its own.
        return objectives.select_related("cycle").order_by("position", "id")

    def get_object(self) -> Objective:
        return selectors.get_objective_for(self.membership, self.kwargs["pk"])

    def create(self, request, *args, **kwargs) -> Response:
        require_create_rights(self.membership, request.data, of="objective")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objective = services.objective_create(actor=self.membership, **serializer.validated_data)
        return Response(self.get_serializer(objective).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs) -> Response:
        objective = selectors.get_objective_for_write(self.membership, self.kwargs["pk"])
        serializer = self.get_serializer(objective, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        objective = services.objective_update(
            actor=self.membership, objective=objective, **serializer.validated_data
        )
        return Response(self.get_serializer(objective).data)

    def destroy(self, request, *args, **kwargs) -> Response:
        objective = selectors.get_objective_for_write(self.membership, self.kwargs["pk"])
        services.objective_delete(actor=self.membership, objective=objective)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="List the key results you can see",
        parameters=[
            _id_parameter("objective", "Only this objective's key results."),
            _id_parameter("owner", "Only the key results this user owns."),
        ],
    ),
    retrieve=extend_schema(summary="One key result"),
    create=extend_schema(
        summary="Add a key result to an objective",
        description=(
            "`target_value` is required unless the metric is a milestone (0 → 1) or the "
            "progress is aligned (read from the objectives that support it)."
        ),
        examples=[
            OpenApiExample(
                "Decrease p95 latency from 800 ms to 200 ms",
                request_only=True,
                value={
                    "objective": 3,
                    "title": "p95 latency",
                    "metric": "number",
                    "unit": "ms",
                    "start_value": 800,
                    "target_value": 200,
                },
            )
        ],
    ),
    update=extend_schema(summary="Edit a key result"),
    partial_update=extend_schema(summary="Edit some of a key result's fields"),
    destroy=extend_schema(summary="Delete a key result and its check-ins"),
)
class KeyResultViewSet(_OkrViewSet):
    queryset = KeyResult.objects.none()
    serializer_class = serializers.KeyResultSerializer

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.KeyResultUpdateSerializer
        return serializers.KeyResultSerializer

    def get_queryset(self):
        key_results = selectors.visible_key_results(self.membership)
        if self.action != "list":
            return key_results
        for name in ("objective", "owner"):
            value = id_filter(self.request, name)
            if value is not None:
                key_results = key_results.filter(**{f"{name}_id": value})
        # The cycle each row's pace reads comes along, without a query of its own.
        key_results = key_results.select_related("objective__cycle")
        return key_results.order_by("position", "id")

    def get_object(self) -> KeyResult:
        return selectors.get_key_result_for(self.membership, self.kwargs["pk"])

    def create(self, request, *args, **kwargs) -> Response:
        require_create_rights(self.membership, request.data, of="key_result")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key_result = services.key_result_create(actor=self.membership, **serializer.validated_data)
        return Response(self.get_serializer(key_result).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs) -> Response:
        key_result = selectors.get_key_result_for_write(self.membership, self.kwargs["pk"])
        serializer = self.get_serializer(key_result, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        key_result = services.key_result_update(
            actor=self.membership, key_result=key_result, **serializer.validated_data
        )
        return Response(self.get_serializer(key_result).data)

    def destroy(self, request, *args, **kwargs) -> Response:
        key_result = selectors.get_key_result_for_write(self.membership, self.kwargs["pk"])
        services.key_result_delete(actor=self.membership, key_result=key_result)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Grade a key result (or clear its grade with `grade: null`)",
        description=(
            "For those who may check in on it, in an active or a closed cycle (the one write "
            "a closed cycle takes); 400 in a planning cycle. Answers the key result."
        ),
        request=serializers.GradeSerializer,
        responses=serializers.KeyResultSerializer,
        examples=[
            OpenApiExample(
                "A grade with a note",
                request_only=True,
                value={"grade": 0.7, "note": "Shipped late but shipped."},
            )
        ],
    )
    def grade(self, request, *args, **kwargs) -> Response:
        key_result = selectors.get_key_result_for_check_in(self.membership, self.kwargs["pk"])
        serializer = serializers.GradeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key_result = services.key_result_grade(
            actor=self.membership, key_result=key_result, **serializer.validated_data
        )
        return Response(self.get_serializer(key_result).data)


@extend_schema_view(
    list=extend_schema(summary="A key result's check-ins, newest first"),
    create=extend_schema(
        summary="Check in on a key result",
        description=(
            "Records a value and a confidence; the key result's progress and everything above "
            "it follow."
        ),
        examples=[
            OpenApiExample(
                "A weekly check-in",
                request_only=True,
                value={"value": 420, "confidence": "at_risk", "note": "The cache helped."},
            )
        ],
    ),
)
class CheckInViewSet(TenantMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """``…/key-results/<key_result_pk>/check-ins/``: the history is append-only."""

    queryset = CheckIn.objects.none()
    serializer_class = serializers.CheckInSerializer

    def _key_result(self) -> KeyResult:
        if not hasattr(self, "_cached_key_result"):
            self._cached_key_result = selectors.get_key_result_for(
                self.membership, self.kwargs["key_result_pk"]
            )
        return self._cached_key_result

    def get_queryset(self):
        return (
            selectors.visible_check_ins(self.membership)
            .filter(key_result=self._key_result())
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs) -> Response:
        # In the request's transaction (PostgreSQL, accounts/rls.py) the key result is read
        # locked, once: the service writes it without reading it again.
        locked = transaction.get_connection().in_atomic_block
        key_result = selectors.get_key_result_for_check_in(
            self.membership, self.kwargs["key_result_pk"], lock=locked
        )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.check_in_record(
            actor=self.membership, key_result=key_result, locked=locked, **serializer.validated_data
        )
        # The serializer that read the input writes the answer: its fields are built already.
        return Response(serializer.to_representation(check_in), status=status.HTTP_201_CREATED)


class ActivityListView(TenantMixin, generics.ListAPIView):
    queryset = Activity.objects.none()
    serializer_class = serializers.ActivitySerializer

    def get_queryset(self):
        activity = selectors.visible_activity(self.membership)
        for name in ("objective", "key_result"):
            value = id_filter(self.request, name)
            if value is not None:
                activity = activity.filter(**{f"{name}_id": value})
        return activity.order_by("-created_at", "-id")

    @extend_schema(
        summary="The activity log, newest first",
        parameters=[
            _id_parameter("objective", "Only what concerns this objective."),
            _id_parameter("key_result", "Only what concerns this key result."),
        ],
    )
    def get(self, request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
