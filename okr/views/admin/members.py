"""The members page: roles, active flags, teams, and the invitations (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import admin_page
from accounts.forms import (
    InvitationForm,
    MembershipForm,
    add_service_errors,
)
from accounts.models import Invitation, Membership, Role
from okr import selectors, services
from okr.views.admin.teams import _teams_of


def _members(membership: Membership) -> list[Membership]:
    return list(
        selectors.organization_members(membership).order_by(
            "-is_active", "user__name", "user__email", "id"
        )
    )


def _invitations_context(request, invite_form=None) -> dict:
    invitations = (
        Invitation.objects.pending()
        .filter(organization=request.organization)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )
    return {
        "invitations": list(invitations),
        "invite_form": invite_form or InvitationForm(),
        "roles": Role.choices,
    }


def _render_members(request, *, failed: Membership | None = None, invite_form=None, status=200):
    members = _members(request.membership)
    if failed is not None:
        # Show the refused change in its row, with the user's choice kept.
        members = [failed if member.pk == failed.pk else member for member in members]
    context = {
        "members": members,
        "roles": Role.choices,
        "all_teams": _teams_of(request.membership),
        **_invitations_context(request, invite_form),
    }
    return render(request, "accounts/members.html", context, status=status)


@admin_page
def members(request):
    return _render_members(request)


@admin_page
@require_POST
def member_update(request, membership_id: int):
    """Change a member's role, active flag or teams; the row swaps in place under HTMX."""
    member = get_object_or_404(selectors.organization_members(request.membership), pk=membership_id)
    form = MembershipForm(request.POST, organization=request.organization)
    if form.is_valid():
        changes = form.changes(request.POST)
        try:
            services.membership_update(actor=request.membership, membership=member, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if member.pk == request.membership.pk and not (member.is_active and member.is_admin):
                # Admins who step down lose these pages, and a deactivated one the
                # organization itself: send them to its dashboard, or home.
                messages.success(request, "Your membership is changed.")
                url = (
                    reverse("dashboard", kwargs={"org_slug": request.organization.slug})
                    if member.is_active
                    else reverse("home")
                )
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            if request.htmx:
                return render(
                    request, "accounts/members.html#member-row", _row_context(request, member)
                )
            messages.success(request, f"{member.user.display_name} is updated.")
            return redirect("admin_members", org_slug=request.organization.slug)
    # The row shows the membership as it is: a refused role is named in the error,
    # never left selected as if it had been saved.
    member.refresh_from_db()
    member.errors = form.errors
    member.non_field_errors = form.non_field_errors()
    if request.htmx:
        return render(request, "accounts/members.html#member-row", _row_context(request, member))
    return _render_members(request, failed=member)


def _row_context(request, member: Membership) -> dict:
    return {"member": member, "roles": Role.choices, "all_teams": _teams_of(request.membership)}


@admin_page
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                context = {**_invitations_context(request), "invited": invitation}
                return render(request, "accounts/members.html#invitations", context)
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("admin_members", org_slug=request.organization.slug)
    if request.htmx:
        return render(
            request, "accounts/members.html#invitations", _invitations_context(request, form)
        )
    return _render_members(request, invite_form=form)


@admin_page
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = get_object_or_404(
        Invitation.objects.pending(), organization=request.organization, pk=invitation_id
    )
    services.invitation_revoke(actor=request.membership, invitation=invitation)
    if request.htmx:
        return render(request, "accounts/members.html#invitations", _invitations_context(request))
    messages.success(request, f"The invitation of {invitation.email} is revoked.")
    return redirect("admin_members", org_slug=request.organization.slug)
