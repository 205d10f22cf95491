"""The organization, its members, invitations, teams and cycles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response

from accounts.models import Invitation, Membership, Team
from okr import selectors, services
from okr.api import serializers
from okr.api.views.base import TenantMixin
from okr.cycle_health import cycle_summary
from okr.models import Cycle
from okr.selectors import parse_id


class OrganizationDetailView(TenantMixin, generics.GenericAPIView):
    serializer_class = serializers.OrganizationSerializer

    @extend_schema(summary="The organization and its check-in settings")
    def get(self, request, org_slug: str) -> Response:
        return Response(self.get_serializer(self.membership.organization).data)

    @extend_schema(summary="Edit the organization's name and check-in settings (admins)")
    def patch(self, request, org_slug: str) -> Response:
        organization = selectors.get_organization_for_admin(
            self.membership, "change the organization's settings"
        )
        serializer = self.get_serializer(organization, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_update(
            actor=self.membership, **serializer.validated_data
        )
        return Response(self.get_serializer(organization).data)


@extend_schema_view(
    list=extend_schema(summary="List the members (inactive ones included)"),
    retrieve=extend_schema(summary="One member"),
    partial_update=extend_schema(summary="Change a member's role, active flag or teams (admins)"),
)
class MemberViewSet(
    TenantMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Membership.objects.none()
    serializer_class = serializers.MemberSerializer

    def get_queryset(self):
        return selectors.organization_members(self.membership).order_by("id")

    def partial_update(self, request, *args, **kwargs) -> Response:
        member = selectors.get_member_for_write(self.membership, self.kwargs["pk"])
        serializer = self.get_serializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.membership_update(
            actor=self.membership, membership=member, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(summary="List the invitations (admins)"),
    create=extend_schema(summary="Invite someone by e-mail (admins); they get a link by e-mail"),
    destroy=extend_schema(summary="Revoke an invitation (admins)"),
)
class InvitationViewSet(
    TenantMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Admins only: to anyone else the whole resource is forbidden (403).

    Revoking looks the invitation up first, so an unknown id is a 404 before the 403
    (the order of refusals in docs/domain.md); the service checks the role.
    """

    queryset = Invitation.objects.none()
    serializer_class = serializers.InvitationSerializer
    refuses_readers = True  # the schema declares 403 on the list too
    deletes_are_never_refused = True  # and no 400 on revoking

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if self.action != "destroy":
            selectors.get_organization_for_admin(self.membership, "manage invitations")

    def get_queryset(self):
        return (
            Invitation.objects.exclude(voided_at__isnull=False)
            .filter(organization_id=self.membership.organization_id)
            .order_by("id")
        )

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(actor=self.membership, **serializer.validated_data)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Invitation) -> None:
        services.invitation_revoke(actor=self.membership, invitation=instance)


@extend_schema_view(
    list=extend_schema(summary="List the teams"),
    retrieve=extend_schema(summary="One team"),
    create=extend_schema(summary="Create a team (admins)"),
    update=extend_schema(summary="Edit a team (admins)"),
    partial_update=extend_schema(summary="Edit some of a team's fields (admins)"),
    destroy=extend_schema(summary="Delete a team no objective uses (admins)"),
)
class TeamViewSet(
    TenantMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Team.objects.none()
    serializer_class = serializers.TeamSerializer

    def get_queryset(self):
        return selectors.organization_teams(self.membership).order_by("id")

    def create(self, request, *args, **kwargs) -> Response:
        selectors.get_organization_for_admin(self.membership, "manage teams")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = services.team_create(actor=self.membership, **serializer.validated_data)
        return Response(self.get_serializer(team).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs) -> Response:
        team = selectors.get_team_for_write(self.membership, self.kwargs["pk"])
        serializer = self.get_serializer(team, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        team = services.team_update(actor=self.membership, team=team, **serializer.validated_data)
        return Response(self.get_serializer(team).data)

    def partial_update(self, request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def perform_destroy(self, instance: Team) -> None:
        services.team_delete(actor=self.membership, team=instance)


@extend_schema_view(
    list=extend_schema(summary="List the cycles"),
    retrieve=extend_schema(summary="One cycle"),
    create=extend_schema(summary="Create a cycle (admins)"),
    update=extend_schema(summary="Edit a cycle (admins); a closed one only changes its status"),
    partial_update=extend_schema(summary="Edit some of a cycle's fields (admins)"),
    destroy=extend_schema(summary="Delete a cycle without objectives (admins)"),
)
class CycleViewSet(
    TenantMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Cycle.objects.none()
    serializer_class = serializers.CycleSerializer

    def get_queryset(self):
        return selectors.cycles_of(self.membership).order_by("id")

    def create(self, request, *args, **kwargs) -> Response:
        selectors.get_organization_for_admin(self.membership, "manage cycles")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cycle = services.cycle_create(actor=self.membership, **serializer.validated_data)
        return Response(self.get_serializer(cycle).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs) -> Response:
        cycle = selectors.get_cycle_for_write(self.membership, self.kwargs["pk"])
        serializer = self.get_serializer(cycle, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        cycle = services.cycle_update(
            actor=self.membership, cycle=cycle, **serializer.validated_data
        )
        return Response(self.get_serializer(cycle).data)

    def partial_update(self, request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def perform_destroy(self, instance: Cycle) -> None:
        services.cycle_delete(actor=self.membership, cycle=instance)

    @extend_schema(
        summary="Roll unfinished key results over into another cycle, all or nothing",
        description=(
            "For each objective of the listed key results, a new objective in `to_cycle` holding "
            "copies of those key results, starting where they stand. 403 when you could not "
            "create one of those objectives; 400 when `to_cycle` is this cycle or closed, or a "
            "key result is not in this cycle, finished, or already rolled over into `to_cycle`."
        ),
        request=serializers.RollOverSerializer,
        responses={201: serializers.RollOverResultSerializer},
    )
    def roll_over(self, request, *args, **kwargs) -> Response:
        cycle = self.get_object()
        raw = request.data.get("key_results") if isinstance(request.data, dict) else None
        if isinstance(raw, list) and len(raw) <= 200:  # your role first (403), then the input
            ids = [
                parse_id(pk) for pk in raw if isinstance(pk, int | str) and not isinstance(pk, bool)
            ]
            services.roll_over_require_rights(self.membership, [pk for pk in ids if pk])
        serializer = serializers.RollOverSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        result = services.cycle_roll_over(
            actor=self.membership,
            cycle=cycle,
            to_cycle=serializer.validated_data["to_cycle"],
            key_result_ids=serializer.validated_data["key_results"],
        )
        return Response(
            serializers.RollOverResultSerializer(result).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="A cycle's health: progress against pace, statuses, check-ins, who is behind",
        description=(
            "Over the objectives and key results you can see: the plain mean of the company "
            "objectives' progress, objectives and key results counted by status, the share of "
            "measured key results checked in within the organization's cadence, and up to 5 "
            "objectives behind pace, the furthest behind first."
        ),
        responses=serializers.CycleSummarySerializer,
    )
    def summary(self, request, *args, **kwargs) -> Response:
        summary = cycle_summary(self.membership, self.get_object())
        return Response(serializers.CycleSummarySerializer(summary).data)
