"""Who may do what (docs/domain.md). One module, used by the HTML views and the API.

Visibility answers 404 (see ``selectors.py``); these rules answer 403 with a
message, through ``PermissionDenied``. Roles are cumulative: admin ⊇ manager ⊇
member.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from accounts.models import Membership
from okr.models import KeyResult, Level, Objective, Visibility


def objective_visibility_filter(membership: Membership) -> Q:
    """A Q on Objective: the objectives this member can see."""
    if membership.is_admin:
        return Q()
    owns_a_key_result = Exists(
        KeyResult.objects.filter(objective=OuterRef("pk"), owner_id=membership.user_id)
    )
    return (
        Q(visibility=Visibility.ORGANIZATION) | Q(owner_id=membership.user_id) | owns_a_key_result
    )


def require_admin(membership: Membership, action: str = "do this") -> None:
    """Members, teams, invitations, cycles and settings are the admins' (403 otherwise)."""
    if not membership.is_admin:
        raise PermissionDenied(f"Only admins can {action}.")


# Highest level first: the levels a role may create and edit, from the top one down.
LEVELS_FROM_THE_TOP = [Level.COMPANY, Level.TEAM, Level.PERSONAL]


def highest_level(membership: Membership) -> str:
    """The highest level of objective this member's role may manage: the one role → level table."""
    if membership.is_admin:
        return Level.COMPANY
    if membership.is_manager:
        return Level.TEAM
    return Level.PERSONAL


def manageable_levels(membership: Membership) -> list[str]:
    """The levels this member may create objectives at, highest first."""
    return LEVELS_FROM_THE_TOP[LEVELS_FROM_THE_TOP.index(highest_level(membership)) :]


def may_own_for_others(membership: Membership) -> bool:
    """May this member make someone else the owner of an objective? (Managers and admins.)"""
    return membership.is_manager


def require_objective_rights(membership: Membership, *, level: str, owner_id: int | None) -> None:
    """May this member create, edit or delete an objective of this level and owner?"""
    if membership.is_admin:
        return
    if level == Level.COMPANY:
        raise PermissionDenied("Only admins can manage company objectives.")
    if membership.is_manager:
        return
    if level == Level.TEAM:
        raise PermissionDenied("Only managers and admins can manage team objectives.")
    if owner_id != membership.user_id:
        raise PermissionDenied("Members can only manage their own personal objectives.")


def can_edit_objective(membership: Membership, objective: Objective) -> bool:
    """For pages deciding whether to show edit controls: ``require_objective_rights`` as a bool."""
    try:
        require_objective_rights(membership, level=objective.level, owner_id=objective.owner_id)
    except PermissionDenied:
        return False
    return True


def require_check_in_rights(membership: Membership, key_result: KeyResult) -> None:
    """Check-ins: the key result's owner, the objective's owner, managers and admins."""
    if membership.is_manager:
        return
    if membership.user_id in (key_result.owner_id, key_result.objective.owner_id):
        return
    raise PermissionDenied(
        "Only the key result's owner, the objective's owner, managers and admins can check in."
    )


def can_check_in(membership: Membership, key_result: KeyResult) -> bool:
    """For pages deciding whether to show the check-in form."""
    try:
        require_check_in_rights(membership, key_result)
    except PermissionDenied:
        return False
    return True
