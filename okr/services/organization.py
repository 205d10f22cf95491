"""The organization admin's writes: settings, members, teams, invitations (admins only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    User,
    normalize_email,
    validate_timezone,
)
from accounts.tenancy import is_active_member
from okr import permissions
from okr.activity import diff, record_activity

ORGANIZATION_FIELDS = (
    "name",
    "timezone",
    "checkin_weekday",
    "checkin_hour",
    "checkin_cadence_days",
)


@transaction.atomic
def organization_update(*, actor: Membership, **changes: Any) -> Organization:
    """Edit the organization's name and check-in settings (admins). The slug never changes."""
    permissions.require_admin(actor, "change the organization's settings")
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    changes = {field: value for field, value in changes.items() if field in ORGANIZATION_FIELDS}
    changed = diff(organization, changes)
    for field, value in changes.items():
        setattr(organization, field, value)
    errors: dict[str, list[str]] = {}
    try:
        organization.clean_fields(exclude=["slug"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "timezone" not in errors:
        try:
            validate_timezone(organization.timezone)
        except ValidationError as error:
            errors["timezone"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    organization.save()
    actor.organization = organization
    if changed:
        record_activity(
            actor=actor,
            verb="updated",
            target=organization,
            summary="updated the organization's settings",
            changes=changed,
        )
    return organization


# --- Members --------------------------------------------------------------------------


@transaction.atomic
def membership_update(*, actor: Membership, membership: Membership, **changes: Any) -> Membership:
    """Change a member's role, active flag or teams (admins).

    The last active admin can be neither demoted nor deactivated: the admins'
    rows are locked first so two admins demoting each other cannot both win.
    """
    permissions.require_admin(actor, "manage members")
    if membership.organization_id != actor.organization_id:
        raise ValidationError({NON_FIELD_ERRORS: ["Unknown member."]})
    teams = changes.pop("teams", None)
    changes = {field: value for field, value in changes.items() if field in ("role", "is_active")}
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationError({"role": [f"“{changes['role']}” is not a valid role."]})
    changed = diff(membership, changes)
    loses_admin = (
        membership.role == Role.ADMIN
        and membership.is_active
        and (
            changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("is_active", True) is False
        )
    )
    if loses_admin:
        active_admins = list(
            Membership.objects.select_for_update()
            .filter(organization_id=actor.organization_id, role=Role.ADMIN, is_active=True)
            .values_list("pk", flat=True)
        )
        if active_admins == [membership.pk]:
            field = "role" if "role" in changed else "is_active"
            raise ValidationError(
                {field: ["This is the last active admin: make someone else an admin first."]}
            )
    for field, value in changes.items():
        setattr(membership, field, value)
    membership.save()
    if teams is not None:
        for team in teams:
            if team.organization_id != actor.organization_id:
                raise ValidationError({"teams": ["Select a valid choice."]})
        before = sorted(membership.teams.values_list("pk", flat=True))
        membership.teams.set(teams)
        after = sorted(team.pk for team in teams)
        if before != after:
            changed["teams"] = [before, after]
    if changed:
        record_activity(
            actor=actor,
            verb="updated",
            target=membership,
            summary=f"updated the membership of {membership.user.email}",
            changes=changed,
        )
    return membership


# --- Teams ----------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *, actor: Membership, name: str, parent: Team | None = None, lead: User | None = None
) -> Team:
    """Create a team (admins), optionally under a parent team and with a lead."""
    permissions.require_admin(actor, "manage teams")
    team = Team(organization_id=actor.organization_id, name=name, parent=parent, lead=lead)
    _validate_team(actor, team)
    team.save()
    record_activity(actor=actor, verb="created", target=team, summary=f"created team “{team.name}”")
    return team


@transaction.atomic
def team_update(*, actor: Membership, team: Team, **changes: Any) -> Team:
    """Rename, re-parent or change the lead of a team (admins); no team is its own ancestor."""
    permissions.require_admin(actor, "manage teams")
    changes = {
        field: value for field, value in changes.items() if field in ("name", "parent", "lead")
    }
    changed = diff(team, changes)
    for field, value in changes.items():
        setattr(team, field, value)
    _validate_team(actor, team)
    team.save()
    if changed:
        record_activity(
            actor=actor,
            verb="updated",
            target=team,
            summary=f"updated team “{team.name}”",
            changes=changed,
        )
    return team


def _validate_team(actor: Membership, team: Team) -> None:
    team.clean_fields(exclude=["organization", "parent", "lead"])
    if team.parent is not None:
        if team.parent.organization_id != actor.organization_id:
            raise ValidationError({"parent": ["Select a valid choice."]})
        ancestor_id, seen = team.parent.pk, set()
        while ancestor_id is not None and ancestor_id not in seen:
            if team.pk is not None and ancestor_id == team.pk:
                raise ValidationError({"parent": ["A team cannot be its own ancestor."]})
            seen.add(ancestor_id)
            ancestor_id = (
                Team.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
            )
    if team.lead is not None and not is_active_member(actor.organization_id, team.lead):
        raise ValidationError({"lead": ["The lead must be an active member of this organization."]})


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    """Delete a team no objective uses; its sub-teams move up to its parent."""
    permissions.require_admin(actor, "manage teams")
    if team.objectives.exists():
        raise ValidationError(
            {NON_FIELD_ERRORS: ["Objectives still use this team: move or delete them first."]}
        )
    Team.objects.filter(parent=team).update(parent=team.parent)
    record_activity(actor=actor, verb="deleted", target=team, summary=f"deleted team “{team.name}”")
    team.delete()


# --- Invitations ------------------------------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    """The absolute link an invitee follows: ``SITE_URL/invitations/<key>/``."""
    return f"{settings.SITE_URL}/invitations/{invitation.key}/"


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str = Role.MEMBER) -> Invitation:
    """Invite someone by e-mail with a role (admins); the e-mail goes out after commit."""
    permissions.require_admin(actor, "invite people")
    email = normalize_email(email or "")
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [f"“{role}” is not a valid role."]
    if Membership.objects.filter(
        organization_id=actor.organization_id, user__email__iexact=email, is_active=True
    ).exists():
        errors["email"] = ["This person is already a member of this organization."]
    if errors:
        raise ValidationError(errors)
    invitation = Invitation(
        organization_id=actor.organization_id, email=email, role=role, invited_by_id=actor.user_id
    )
    invitation.clean_fields(exclude=["organization", "invited_by", "key"])
    invitation.save()
    record_activity(
        actor=actor, verb="invited", target=invitation, summary=f"invited {email} as {role}"
    )
    transaction.on_commit(lambda: send_invitation_email(invitation.pk))
    return invitation


def send_invitation_email(invitation_id: int) -> None:
    """Send the invitation e-mail (text and HTML) to the invitee."""
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=invitation_id
    )
    context = {"invitation": invitation, "url": invitation_url(invitation)}
    subject = f"You're invited to {invitation.organization.name} on Cascade"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    """Withdraw an invitation (admins); its key stops working."""
    permissions.require_admin(actor, "manage invitations")
    record_activity(
        actor=actor,
        verb="revoked",
        target=invitation,
        summary=f"revoked the invitation of {invitation.email}",
    )
    invitation.delete()
