"""The organization admin's writes: settings, members, teams, invitations (admins only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import switcher
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
from accounts.services import refuse_line_breaks
from accounts.tasks import send_after_commit
from accounts.tenancy import is_active_member
from okr import permissions
from okr.activity import diff, record_activity

# An organization sends at most this many invitations in any hour (docs/security.md).
INVITATIONS_PER_HOUR = 50

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
    refuse_line_breaks(errors, name=organization.name)
    if "timezone" not in errors:
        try:
            validate_timezone(organization.timezone)
        except ValidationError as error:
            errors["timezone"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    organization.save()
    switcher.forget_organization(organization.pk)  # its members' top bars name it
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
    switcher.forget([membership.user_id])
    if changed.get("is_active") and membership.is_active is False:
        # A pending invitation must not bring a removed member back.
        Invitation.objects.pending().filter(
            organization_id=membership.organization_id, email__iexact=membership.user.email
        ).update(voided_at=timezone.now())
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
    errors: dict[str, list[str]] = {}
    refuse_line_breaks(errors, name=team.name)
    if errors:
        raise ValidationError(errors)
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


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str = Role.MEMBER) -> Invitation:
    """Invite someone by e-mail with a role (admins); a worker sends the e-mail after commit.

    Someone who already has a membership (active or not) is not invited: an admin
    reactivates them or changes their role on the members page instead. An
    organization sends at most ``INVITATIONS_PER_HOUR`` invitations an hour.
    The returned invitation carries its raw key on ``.key`` (only its hash is stored).
    """
    permissions.require_admin(actor, "invite people")
    email = normalize_email(email or "")
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [f"“{role}” is not a valid role."]
    if Membership.objects.filter(
        organization_id=actor.organization_id, user__email__iexact=email
    ).exists():
        errors["email"] = [
            "This person already has a membership in this organization: reactivate them or "
            "change their role on the members page."
        ]
    if errors:
        raise ValidationError(errors)
    # Lock the organization so that concurrent invitations count each other.
    Organization.objects.select_for_update().filter(pk=actor.organization_id).first()
    sent_last_hour = Invitation.objects.filter(
        organization_id=actor.organization_id,
        created_at__gt=timezone.now() - timedelta(hours=1),
    ).count()
    if sent_last_hour >= INVITATIONS_PER_HOUR:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This organization sent {INVITATIONS_PER_HOUR} invitations in the last hour: "
                    "try again later."
                ]
            }
        )
    invitation = Invitation(
        organization_id=actor.organization_id, email=email, role=role, invited_by_id=actor.user_id
    )
    raw_key = invitation.set_key()
    invitation.clean_fields(exclude=["organization", "invited_by", "key_hash"])
    invitation.save()
    record_activity(
        actor=actor, verb="invited", target=invitation, summary=f"invited {email} as {role}"
    )
    send_after_commit(
        "invitation", invitation.pk, raw_key, organization_id=invitation.organization_id
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    """Withdraw an invitation (admins); its key stops working.

    The row stays, voided, so that it still counts towards the hourly limit.
    """
    permissions.require_admin(actor, "manage invitations")
    record_activity(
        actor=actor,
        verb="revoked",
        target=invitation,
        summary=f"revoked the invitation of {invitation.email}",
    )
    Invitation.objects.filter(pk=invitation.pk).update(voided_at=timezone.now())
