"""Which membership a request acts through: the one place that resolves a tenant."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Membership


def get_membership(user, organization_slug: str) -> Membership:
    """The user's active membership in the organization, or 404.

    An unknown slug, another organization and an inactive membership all look
    the same from outside: the organization does not exist for this user.
    """
    if not user or not user.is_authenticated:
        raise Http404("No such organization.")
    membership = (
        Membership.objects.active()
        .select_related("organization", "user")
        .filter(user=user, organization__slug=organization_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organization.")
    return membership


def active_memberships(user):
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
