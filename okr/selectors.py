"""Tenant-scoped reads and the access helpers that answer 404.

Every lookup filters by the organization of the caller's membership; a row of
another organization, or one the caller may not see, does not exist for them
(``Http404``). The ``…_for_write`` helpers then ask ``permissions.py`` whether
the member may act on it (``PermissionDenied``, 403): 404 first, then 403, and a
view never calls ``permissions`` itself.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.compiled import CompiledRead
from accounts.models import Membership, Organization, Team
from accounts.tenancy import members_of, teams_of
from okr import permissions
from okr.models import Activity, CheckIn, Cycle, CycleStatus, KeyResult, Objective


def visible_objectives(membership: Membership) -> QuerySet[Objective]:
    """The objectives of the member's organization that they can see."""
    return Objective.objects.filter(
        permissions.objective_visibility_filter(membership),
        organization_id=membership.organization_id,
    )


def visible_key_results(membership: Membership) -> QuerySet[KeyResult]:
    """Key results of visible objectives (a private objective's key results are private too)."""
    return KeyResult.objects.filter(
        organization_id=membership.organization_id,
        objective__in=visible_objectives(membership),
    )


def visible_check_ins(membership: Membership) -> QuerySet[CheckIn]:
    """Check-ins of visible key results: a private objective's check-ins are private too."""
    return CheckIn.objects.filter(
        organization_id=membership.organization_id,
        key_result__objective__in=visible_objectives(membership),
    )


def visible_activity(membership: Membership) -> QuerySet[Activity]:
    """The activity log, less what the member may not see.

    Hidden from non-admins: rows about private objectives they cannot see, and
    invitations (who was invited at which address is the admins' business).
    """
    activity = Activity.objects.filter(organization_id=membership.organization_id)
    if membership.is_admin:
        return activity
    activity = activity.exclude(target_type="invitation")
    # A row about an objective follows the objective's visibility *now* (it may have
    # become private since); a row whose objective is gone keeps the flag it was born with.
    return activity.filter(
        Q(objective__isnull=True, is_private=False)
        | Q(objective__in=visible_objectives(membership).values("pk"))
    )


def get_objective_for(membership: Membership, pk) -> Objective:
    """The objective, if it is the member's organization's and they can see it; else 404."""
    objective = (
        visible_objectives(membership)
        .select_related("cycle", "owner", "team", "parent_key_result")
        .filter(pk=_as_id(pk))
        .first()
    )
    if objective is None:
        raise Http404("No such objective.")
    return objective


def get_key_result_for(membership: Membership, pk) -> KeyResult:
    """The key result, if its objective is visible to the member; else 404."""
    key_result = (
        visible_key_results(membership)
        .select_related("objective", "objective__cycle", "owner")
        .filter(pk=_as_id(pk))
        .first()
    )
    if key_result is None:
        raise Http404("No such key result.")
    return key_result


def get_objective_for_write(membership: Membership, pk) -> Objective:
    """The objective (404 as ``get_objective_for``) if the member may edit it; else 403."""
    objective = get_objective_for(membership, pk)
    permissions.require_objective_rights(
        membership, level=objective.level, owner_id=objective.owner_id
    )
    return objective


def get_key_result_for_write(membership: Membership, pk) -> KeyResult:
    """The key result (404) if the member may edit it — the rights on its objective; else 403."""
    key_result = get_key_result_for(membership, pk)
    objective = key_result.objective
    permissions.require_objective_rights(
        membership, level=objective.level, owner_id=objective.owner_id
    )
    return key_result


def get_key_result_for_check_in(membership: Membership, pk, *, lock: bool = False) -> KeyResult:
    """The key result (404) if the member may check in on it (and grade it); else 403.

    ``lock``: read it ``FOR UPDATE``, with its objective and cycle (what the check-in's
    rules read) and nothing more, so that ``check_in_record`` writes it without reading
    it again. Only inside the transaction the check-in then runs in.
    """
    if not lock:
        key_result = get_key_result_for(membership, pk)
    else:
        key_result = _LOCKED_KEY_RESULT.first(
            membership.role,
            organization_id=membership.organization_id,
            user_id=membership.user_id,
            pk=_as_id(pk),
        )
        if key_result is None:
            raise Http404("No such key result.")
    permissions.require_check_in_rights(membership, key_result)
    return key_result


def _locked_key_result(role: str, *, organization_id: int, user_id: int, pk: int):
    member = Membership(organization_id=organization_id, user_id=user_id, role=role)
    return (
        visible_key_results(member)
        .select_related("objective", "objective__cycle")
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .order_by()[:1]  # by its key: no ORDER BY to build
    )


# A check-in's read, the hottest of all: compiled once per role (accounts/compiled.py).
_LOCKED_KEY_RESULT = CompiledRead(_locked_key_result)


def get_cycle_for(membership: Membership, pk, cycles: list[Cycle] | None = None) -> Cycle:
    """The cycle, if it is the member's organization's; else 404.

    ``cycles``: the organization's cycles, when the page has read them already.
    """
    if cycles is None:
        cycle = Cycle.objects.filter(
            organization_id=membership.organization_id, pk=_as_id(pk)
        ).first()
    else:
        wanted = _as_id(pk)
        cycle = next((cycle for cycle in cycles if cycle.pk == wanted), None)
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


# The organization's own rows (its settings, members, teams, cycles) are the admins' to
# change: the same 404-then-403 helpers, for the API's admin endpoints.


def get_organization_for_admin(membership: Membership, action: str) -> Organization:
    """The member's organization, if they are its admin; else 403 ("Only admins can <action>.").

    For writes that name no row (settings, a new team or cycle, the invitations): the
    organization itself was found, or refused with 404, before the view ran.
    """
    permissions.require_admin(membership, action)
    return membership.organization


def get_member_for_write(membership: Membership, pk) -> Membership:
    """A membership of the organization (404 otherwise) if the member is an admin; else 403."""
    member = organization_members(membership).filter(pk=_as_id(pk)).first()
    if member is None:
        raise Http404("Not found.")
    permissions.require_admin(membership, "manage members")
    return member


def get_team_for_write(membership: Membership, pk) -> Team:
    """A team of the organization (404 otherwise) if the member is an admin; else 403."""
    team = organization_teams(membership).filter(pk=_as_id(pk)).first()
    if team is None:
        raise Http404("Not found.")
    permissions.require_admin(membership, "manage teams")
    return team


def get_cycle_for_write(membership: Membership, pk) -> Cycle:
    """A cycle of the organization (404 otherwise) if the member is an admin; else 403."""
    cycle = cycles_of(membership).filter(pk=_as_id(pk)).first()
    if cycle is None:
        raise Http404("Not found.")
    permissions.require_admin(membership, "manage cycles")
    return cycle


MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds


def parse_id(raw) -> int | None:
    """A path or query id; None for anything that is not a positive 64-bit integer."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None


def _as_id(pk) -> int:
    """A path or query id, or 404: anything else matches nothing."""
    value = parse_id(pk)
    if value is None:
        raise Http404("Not found.")
    return value


def cycles_of(membership: Membership) -> QuerySet[Cycle]:
    """The cycles of the member's organization."""
    return Cycle.objects.filter(organization_id=membership.organization_id)


def cycles_newest_first(membership: Membership) -> QuerySet[Cycle]:
    """The organization's cycles, the latest start first: the order every cycle list uses."""
    return cycles_of(membership).order_by("-start_date", "-id")


def organization_teams(membership: Membership) -> QuerySet[Team]:
    """The teams of the member's organization."""
    return teams_of(membership.organization_id)


def organization_members(membership: Membership) -> QuerySet[Membership]:
    """The memberships of the member's organization, active or not, with users and teams."""
    return members_of(membership.organization_id).prefetch_related("teams")


def has_other_active_members(membership: Membership) -> bool:
    """Does anyone else belong to the organization? (The dashboard's last getting-started step.)"""
    return (
        Membership.objects.active()
        .filter(organization_id=membership.organization_id)
        .exclude(pk=membership.pk)
        .exists()
    )


def current_cycle(membership: Membership, today: datetime.date | None = None) -> Cycle | None:
    """The active cycle containing today with the latest start (cycles may overlap)."""
    today = today or membership.organization.local_date()
    return (
        cycles_newest_first(membership)
        .filter(status=CycleStatus.ACTIVE, start_date__lte=today, end_date__gte=today)
        .first()
    )


def default_cycle(membership: Membership, cycles: list[Cycle] | None = None) -> Cycle | None:
    """What a page shows when no cycle is asked for: the current one, else the newest.

    ``cycles``: the organization's cycles when the page has read them already
    (its cycle menu); the choice is then made without a query, by the same rule
    as ``current_cycle``.
    """
    if cycles is None:
        cycles = list(cycles_newest_first(membership))
    newest_first = sorted(cycles, key=lambda cycle: (cycle.start_date, cycle.pk), reverse=True)
    today = membership.organization.local_date()
    current = (
        cycle
        for cycle in newest_first
        if cycle.status == CycleStatus.ACTIVE and cycle.start_date <= today <= cycle.end_date
    )
    return next(current, newest_first[0] if newest_first else None)


def recent_activity(membership: Membership, limit: int = 15) -> list[Activity]:
    """The latest ``limit`` rows of the activity the member may see, with their actors."""
    return list(visible_activity(membership).select_related("actor")[:limit])


# What a page may offer. Pages ask these helpers which controls to show; the
# rights behind them are ``permissions.py``'s, and the services still decide
# every write (a control shown by mistake is refused with 403).


def may_edit_objective(membership: Membership, objective: Objective) -> bool:
    """Does the page offer editing this objective? Its rights, in a cycle still open."""
    return not objective.cycle.is_closed and permissions.can_edit_objective(membership, objective)


def may_check_in(membership: Membership, key_result: KeyResult) -> bool:
    """May the member check in on (and grade) this key result? The rights alone."""
    return permissions.can_check_in(membership, key_result)


def may_check_in_here(membership: Membership, key_result: KeyResult) -> bool:
    """Does a row offer "Check in": a measured key result, a cycle still open, and the rights."""
    return (
        not key_result.is_aligned
        and not key_result.objective.cycle.is_closed
        and permissions.can_check_in(membership, key_result)
    )


def objective_actions_for(membership: Membership, objective: Objective) -> dict[str, bool]:
    """What the objective page offers: edit, and whether "Move up" / "Move down" can do anything.

    One query among the objective's siblings, for editors only.
    """
    if not may_edit_objective(membership, objective):
        return {"can_edit": False, "can_move_up": False, "can_move_down": False}
    ids = list(
        visible_objectives(membership)
        .filter(
            cycle_id=objective.cycle_id,
            parent_key_result_id=objective.parent_key_result_id,
            level=objective.level,
        )
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    return {
        "can_edit": True,
        "can_move_up": bool(ids) and ids[0] != objective.pk,
        "can_move_down": bool(ids) and ids[-1] != objective.pk,
    }


def highest_level_for(membership: Membership) -> str:
    """The highest level of objective the member may create (the dashboard's "New objective")."""
    return permissions.highest_level(membership)


def level_to_preselect(membership: Membership, level: str | None) -> str:
    """The level a new-objective form preselects: the one asked for if the member may create it,
    else the highest they may (never one the service would refuse)."""
    if level in permissions.manageable_levels(membership):
        return level
    return permissions.highest_level(membership)
