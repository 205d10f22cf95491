"""Which membership a request acts through: the one place that resolves a tenant."""

from __future__ import annotations

from django.http import Http404

from accounts import rls
from accounts.compiled import CompiledRead
from accounts.models import Membership, Organization, Team, User

# Unique keys both: LIMIT 1 without the ORDER BY that first() would build. Read on every
# request to an organization, so compiled once (accounts/compiled.py).
_TENANT = CompiledRead(
    lambda shape, *, slug: rls.as_tenant(Organization.objects.filter(slug=slug)).order_by()[:1]
)
_MEMBERSHIP = CompiledRead(
    lambda shape, *, user_id, organization_id: (
        Membership.objects.active()
        .filter(user_id=user_id, organization_id=organization_id)
        .order_by()[:1]
    )
)


def get_membership(user, organization_slug: str) -> Membership:
    """The user's active membership in the organization, or 404; the request's tenant too.

    An unknown slug, another organization and an inactive membership all look
    the same from outside: the organization does not exist for this user. The
    organization found becomes the database's tenant for the rest of the
    request's transaction (accounts/rls.py), before the membership is read.
    """
    if not user or not user.is_authenticated:
        raise Http404("No such organization.")
    organization = _TENANT.first(slug=organization_slug)
    if organization is None:
        raise Http404("No such organization.")
    membership = _MEMBERSHIP.first(user_id=user.pk, organization_id=organization.pk)
    if membership is None:
        raise Http404("No such organization.")
    membership.organization = organization
    membership.user = user  # the row it was filtered by: no need to read it again
    return membership


def active_member_users(organization_id: int):
    """Users with an active membership in the organization: who may own or lead things."""
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__is_active=True,
    )


def is_active_member(organization_id: int, user: User) -> bool:
    """May this user own or lead things in the organization?"""
    return active_member_users(organization_id).filter(pk=user.pk).exists()


def active_memberships(user):
    """The user's active memberships across organizations (call it under ``all_tenants``)."""
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )


def teams_of(organization_id: int):
    """The organization's teams, by name (the model's order)."""
    return Team.objects.filter(organization_id=organization_id)


def members_of(organization_id: int):
    """Every membership of the organization, active or not, with its user."""
    return Membership.objects.filter(organization_id=organization_id).select_related("user")
