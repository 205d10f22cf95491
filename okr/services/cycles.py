"""Writes to cycles (admins only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from accounts.models import Membership
from okr import permissions
from okr.activity import diff, record_activity
from okr.models import (
    Cycle,
    CycleStatus,
)
from okr.services.common import (
    _require_own,
)

CYCLE_FIELDS = ("name", "start_date", "end_date", "status")


@transaction.atomic
def cycle_create(
    *, actor: Membership, name: str, start_date, end_date, status: str = CycleStatus.PLANNING
) -> Cycle:
    """Create a cycle (admins only)."""
    permissions.require_admin(actor, "manage cycles")
    cycle = Cycle(
        organization_id=actor.organization_id,
        name=name,
        start_date=start_date,
        end_date=end_date,
        status=status,
    )
    _validate_cycle(cycle)
    cycle.save()
    record_activity(actor=actor, verb="created", target=cycle, summary=f"created cycle “{name}”")
    return cycle


@transaction.atomic
def cycle_update(*, actor: Membership, cycle: Cycle, **changes: Any) -> Cycle:
    """Edit a cycle. A closed cycle only takes a status change (reopening)."""
    _require_own(actor, cycle)
    permissions.require_admin(actor, "manage cycles")
    changes = {field: value for field, value in changes.items() if field in CYCLE_FIELDS}
    changed = diff(cycle, changes)
    if cycle.is_closed and set(changed) - {"status"}:
        raise ValidationError(
            {NON_FIELD_ERRORS: ["A closed cycle can only change its status (reopen it first)."]}
        )
    for field, value in changes.items():
        setattr(cycle, field, value)
    _validate_cycle(cycle)
    cycle.save()
    if changed:
        record_activity(
            actor=actor,
            verb="updated",
            target=cycle,
            summary=f"updated cycle “{cycle.name}”",
            changes=changed,
        )
    return cycle


def _validate_cycle(cycle: Cycle) -> None:
    cycle.clean_fields(exclude=["organization"])
    if cycle.start_date >= cycle.end_date:
        raise ValidationError({"end_date": ["The cycle must end after it starts."]})


@transaction.atomic
def cycle_delete(*, actor: Membership, cycle: Cycle) -> None:
    """Delete a cycle (admins): refused while it has objectives or is closed."""
    _require_own(actor, cycle)
    permissions.require_admin(actor, "manage cycles")
    if cycle.is_closed:
        raise ValidationError(
            {NON_FIELD_ERRORS: ["A closed cycle can only change its status (reopen it first)."]}
        )
    if cycle.objectives.exists():
        raise ValidationError(
            {NON_FIELD_ERRORS: ["This cycle has objectives: move or delete them first."]}
        )
    record_activity(
        actor=actor, verb="deleted", target=cycle, summary=f"deleted cycle “{cycle.name}”"
    )
    cycle.delete()
