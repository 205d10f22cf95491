"""Writes to objectives: create, edit (move included), delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Membership, Team, User
from okr import permissions
from okr.activity import diff, record_activity
from okr.models import (
    Cycle,
    CycleStatus,
    KeyResult,
    Level,
    Objective,
    Visibility,
)
from okr.services.common import (
    _raise_if,
    _refuse_if_closed,
    _require_active_member,
    _require_own,
    _require_same_organization,
    reorder,
    schedule_roll_up,
)

OBJECTIVE_FIELDS = (
    "cycle",
    "title",
    "description",
    "level",
    "team",
    "owner",
    "parent_key_result",
    "visibility",
    "position",
)

# An objective's description holds at most this many characters (docs/security.md).
MAX_DESCRIPTION = 10_000


@transaction.atomic
def objective_create(
    *,
    actor: Membership,
    cycle: Cycle,
    title: str,
    level: str,
    description: str = "",
    team: Team | None = None,
    owner: User | None = None,
    parent_key_result: KeyResult | None = None,
    visibility: str = Visibility.ORGANIZATION,
    position: int = 0,
) -> Objective:
    """Create an objective, aligned to ``parent_key_result`` when one is given.

    Left out (or empty), the owner is the actor and the visibility the organization's
    (docs/domain.md). A team goes with team objectives only: any other level with a
    team is refused, on the page as in the API.
    """
    owner = owner or actor.user
    visibility = visibility or Visibility.ORGANIZATION
    permissions.require_objective_rights(actor, level=level, owner_id=owner.pk)
    _require_same_organization(actor, cycle=cycle, team=team, parent_key_result=parent_key_result)
    _refuse_if_closed(cycle, "cycle")
    _require_active_member(actor, owner)
    objective = Objective(
        organization_id=actor.organization_id,
        cycle=cycle,
        title=title,
        description=description or "",
        level=level,
        team=team,
        owner=owner,
        parent_key_result=parent_key_result,
        visibility=visibility,
        position=position,
    )
    _validate_objective(objective, parent_changed=True)
    objective.save()
    record_activity(
        actor=actor,
        verb="created",
        target=objective,
        summary=f"created objective “{objective.title}”",
        objective=objective,
    )
    schedule_roll_up(
        organization_id=actor.organization_id,
        key_result_ids=[parent_key_result.pk] if parent_key_result else [],
    )
    return objective


@transaction.atomic
def objective_update(*, actor: Membership, objective: Objective, **changes: Any) -> Objective:
    """Edit an objective; a new ``parent_key_result`` re-aligns it (old and new parents roll up)."""
    changes = {field: value for field, value in changes.items() if field in OBJECTIVE_FIELDS}
    # An empty owner or visibility keeps what the objective has.
    for field in ("owner", "visibility"):
        if field in changes and not changes[field]:
            del changes[field]
    _require_own(actor, objective)
    permissions.require_objective_rights(actor, level=objective.level, owner_id=objective.owner_id)
    new_level = changes.get("level", objective.level)
    new_owner = changes.get("owner", objective.owner)
    permissions.require_objective_rights(actor, level=new_level, owner_id=new_owner.pk)
    _require_same_organization(
        actor,
        cycle=changes.get("cycle"),
        team=changes.get("team"),
        parent_key_result=changes.get("parent_key_result"),
    )
    _refuse_if_closed(objective.cycle)
    if "cycle" in changes:
        _refuse_if_closed(changes["cycle"], "cycle")
    changed = diff(objective, changes)
    if "owner" in changed:
        _require_active_member(actor, new_owner)
    old_parent_id = objective.parent_key_result_id
    for field, value in changes.items():
        setattr(objective, field, value)
    if objective.level != Level.TEAM and "team" not in changes:
        objective.team = None
    _validate_objective(objective, parent_changed="parent_key_result" in changed)
    # Never write ``progress`` here: a roll-up job may have moved it since we read it.
    objective.save(update_fields=[*OBJECTIVE_FIELDS, "updated_at"])
    if changed:
        record_activity(
            actor=actor,
            verb="updated",
            target=objective,
            summary=f"updated objective “{objective.title}”",
            changes=changed,
            objective=objective,
        )
    if "parent_key_result" in changed:
        schedule_roll_up(
            organization_id=actor.organization_id,
            key_result_ids=[old_parent_id, objective.parent_key_result_id],
        )
    return objective


def _validate_objective(objective: Objective, *, parent_changed: bool) -> None:
    objective.clean_fields(
        exclude=["organization", "cycle", "team", "owner", "parent_key_result", "progress"],
    )
    errors: dict[str, list[str]] = {}
    if len(objective.description or "") > MAX_DESCRIPTION:
        errors["description"] = [f"Use at most {MAX_DESCRIPTION:,} characters."]
    if objective.level == Level.TEAM and objective.team is None:
        errors["team"] = ["A team objective needs a team."]
    elif objective.level != Level.TEAM and objective.team is not None:
        errors["team"] = ["Only team objectives have a team."]
    parent = objective.parent_key_result
    if parent is not None:
        # An alignment made while the parent's cycle was open stays valid after it closes.
        if parent_changed and parent.objective.cycle.status == CycleStatus.CLOSED:
            errors["parent_key_result"] = ["That key result's cycle is closed."]
        elif objective.pk and _supports_itself(objective, parent):
            errors["parent_key_result"] = [
                "An objective cannot support a key result of itself or of an objective below it."
            ]
    _raise_if(errors)


def _supports_itself(objective: Objective, parent: KeyResult) -> bool:
    """Would aligning ``objective`` to ``parent`` close a loop in the cascade?

    Walks up from the parent's objective, one level per query; a loop exists if
    the walk meets the objective itself.
    """
    current_id = parent.objective_id
    seen: set[int] = set()
    while current_id is not None and current_id not in seen:
        if current_id == objective.pk:
            return True
        seen.add(current_id)
        current_id = (
            Objective.objects.filter(pk=current_id)
            .values_list("parent_key_result__objective_id", flat=True)
            .first()
        )
    return False


@transaction.atomic
def objective_delete(*, actor: Membership, objective: Objective) -> None:
    """Delete an objective with its key results and check-ins; its supporters become unaligned."""
    _require_own(actor, objective)
    permissions.require_objective_rights(actor, level=objective.level, owner_id=objective.owner_id)
    _refuse_if_closed(objective.cycle)
    parent_id = objective.parent_key_result_id
    record_activity(
        actor=actor,
        verb="deleted",
        target=objective,
        summary=f"deleted objective “{objective.title}”",
        changes={"title": objective.title, "level": objective.level},
        objective=objective,  # a private objective's deletion stays private
    )
    orphaned = list(
        Objective.objects.filter(parent_key_result__objective=objective).values_list(
            "pk", flat=True
        )
    )
    objective.delete()
    if orphaned:
        Objective.objects.filter(pk__in=orphaned).update(parent_key_result=None)
    schedule_roll_up(organization_id=actor.organization_id, key_result_ids=[parent_id])


def objective_move(*, actor: Membership, objective: Objective, direction: str | None) -> bool:
    """Move an objective up or down among its siblings (same cycle, parent key result, level).

    Only the siblings the actor can see take part; each renumbered row goes through
    ``objective_update``, so the rights and the closed-cycle rule apply to each. False
    when there is no neighbour that way.
    """
    from okr.selectors import visible_objectives

    siblings = list(
        visible_objectives(actor)
        .filter(
            cycle_id=objective.cycle_id,
            parent_key_result_id=objective.parent_key_result_id,
            level=objective.level,
        )
        .select_related("cycle", "owner")
        .order_by("position", "id")
    )
    return reorder(
        siblings, objective.pk, direction, objective_update, actor=actor, kind="objective"
    )
