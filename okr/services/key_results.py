"""Writes to key results: create, edit, delete."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership, User
from okr import permissions
from okr.activity import diff, record_activity
from okr.models import (
    KeyResult,
    Metric,
    Objective,
    ProgressSource,
)
from okr.progress import aligned_progress, key_result_own_progress
from okr.services.common import (
    _check_decimal,
    _raise_if,
    _refuse_if_closed,
    _require_active_member,
    _require_own,
    _require_same_organization,
    reorder,
    schedule_roll_up,
)
from okr.services.grades import GRADE_FIELDS

# Said when a measured key result comes without its target, on the pages and in the API.
TARGET_VALUE_MISSING = "Enter the value you aim for."

KEY_RESULT_FIELDS = (
    "title",
    "owner",
    "metric",
    "unit",
    "start_value",
    "target_value",
    "weight",
    "progress_source",
    "position",
)
# Fields whose change moves progress up the tree.
PROGRESS_FIELDS = {"start_value", "target_value", "weight", "metric", "progress_source"}


def _require_key_result_rights(actor: Membership, objective: Objective) -> None:
    """Editing a key result follows the rights on its objective."""
    permissions.require_objective_rights(actor, level=objective.level, owner_id=objective.owner_id)


@transaction.atomic
def key_result_create(
    *,
    actor: Membership,
    objective: Objective,
    title: str,
    target_value: Decimal | None = None,
    start_value: Decimal | None = None,
    owner: User | None = None,
    metric: str = Metric.NUMBER,
    unit: str = "",
    weight: Decimal = Decimal(1),
    progress_source: str = ProgressSource.MEASURED,
    position: int = 0,
) -> KeyResult:
    """Add a key result to an objective; ``current_value`` starts at ``start_value``."""
    _require_key_result_rights(actor, objective)
    _require_same_organization(actor, objective=objective)
    _refuse_if_closed(objective.cycle)
    # What a form or a client may leave empty (docs/domain.md): the actor owns it, a
    # number measured by check-ins, weight 1.
    owner = owner or actor.user
    metric = metric or Metric.NUMBER
    progress_source = progress_source or ProgressSource.MEASURED
    weight = Decimal(1) if weight is None else weight
    measured = progress_source == ProgressSource.MEASURED
    if target_value is None and metric != Metric.MILESTONE and measured:
        raise ValidationError({"target_value": [TARGET_VALUE_MISSING]})
    _require_active_member(actor, owner)
    start_value, target_value = _default_range(metric, progress_source, start_value, target_value)
    key_result = KeyResult(
        organization_id=actor.organization_id,
        objective=objective,
        title=title,
        owner=owner,
        metric=metric,
        unit=unit or "",
        start_value=start_value,
        target_value=target_value,
        current_value=start_value,
        weight=weight,
        progress_source=progress_source,
        position=position,
    )
    _validate_key_result(key_result)
    key_result.progress = key_result_own_progress(key_result) or 0.0
    key_result.save()
    record_activity(
        actor=actor,
        verb="created",
        target=key_result,
        summary=f"added key result “{key_result.title}” to “{objective.title}”",
        key_result=key_result,
    )
    schedule_roll_up(
        organization_id=actor.organization_id,
        key_result_ids=[key_result.pk] if key_result.is_aligned else [],
        objective_ids=[] if key_result.is_aligned else [objective.pk],
    )
    return key_result


def _default_range(metric, source, start, target) -> tuple[Decimal | None, Decimal | None]:
    """A milestone is 0 → 1; an aligned key result ignores its values (0 → 100 if none given)."""
    if metric == Metric.MILESTONE:
        return (Decimal(0) if start is None else start, Decimal(1) if target is None else target)
    if source == ProgressSource.ALIGNED:
        return (Decimal(0) if start is None else start, Decimal(100) if target is None else target)
    return (Decimal(0) if start is None else start, target)


@transaction.atomic
def key_result_update(*, actor: Membership, key_result: KeyResult, **changes: Any) -> KeyResult:
    """Edit a key result; changes to what progress reads roll up to the root."""
    changes = {field: value for field, value in changes.items() if field in KEY_RESULT_FIELDS}
    # An empty owner keeps the owner; an empty weight, metric or source is the default.
    if "owner" in changes and changes["owner"] is None:
        del changes["owner"]
    for field, default in (
        ("weight", Decimal(1)),
        ("metric", Metric.NUMBER),
        ("progress_source", ProgressSource.MEASURED),
    ):
        if field in changes and changes[field] in (None, ""):
            changes[field] = default
    _require_own(actor, key_result)
    objective = key_result.objective
    _require_key_result_rights(actor, objective)
    _refuse_if_closed(objective.cycle)
    # Lock the row and read what check-ins and roll-ups write, so that this edit
    # neither loses a concurrent check-in nor writes back a stale progress.
    locked = KeyResult.objects.select_for_update().get(pk=key_result.pk)
    for field in ("current_value", "confidence", "last_check_in_at", "progress", *GRADE_FIELDS):
        setattr(key_result, field, getattr(locked, field))
    changed = diff(key_result, changes)
    if "owner" in changed:
        _require_active_member(actor, changes["owner"])
    has_check_ins = key_result.last_check_in_at is not None
    for field, value in changes.items():
        setattr(key_result, field, value)
    if key_result.is_milestone and "metric" in changed:
        key_result.start_value = changes.get("start_value", Decimal(0))
        key_result.target_value = changes.get("target_value", Decimal(1))
    if not has_check_ins:
        key_result.current_value = key_result.start_value
    _validate_key_result(key_result)
    own = key_result_own_progress(key_result)
    if own is None and "progress_source" in changed:
        # It turned aligned: answer the mean of its supporters now, not the stale
        # measured value; the roll-up enqueued below still carries it upwards.
        own = aligned_progress(
            Objective.objects.filter(parent_key_result_id=key_result.pk).values_list(
                "progress", flat=True
            )
        )
    if own is not None:
        key_result.progress = own
    key_result.save()
    if changed:
        record_activity(
            actor=actor,
            verb="updated",
            target=key_result,
            summary=f"updated key result “{key_result.title}”",
            changes=changed,
            key_result=key_result,
        )
    if PROGRESS_FIELDS & set(changed):
        schedule_roll_up(
            organization_id=actor.organization_id,
            key_result_ids=[key_result.pk] if key_result.is_aligned else [],
            objective_ids=[objective.pk],
        )
    return key_result


def _validate_key_result(key_result: KeyResult) -> None:
    errors: dict[str, list[str]] = {}
    if key_result.start_value is None:
        errors["start_value"] = ["Enter the value you start from."]
    for field in ("start_value", "target_value", "weight"):
        _check_decimal(errors, field, getattr(key_result, field))
    if key_result.target_value is None:
        errors.setdefault("target_value", []).append(TARGET_VALUE_MISSING)
    _raise_if(errors)
    key_result.clean_fields(
        exclude=["organization", "objective", "owner", "progress", "current_value", "confidence"],
    )
    if key_result.is_milestone and (key_result.start_value != 0 or key_result.target_value != 1):
        if key_result.start_value != 0:
            errors["start_value"] = ["A milestone always starts at 0."]
        if key_result.target_value != 1:
            errors["target_value"] = ["A milestone always targets 1."]
    elif key_result.start_value == key_result.target_value:
        errors["target_value"] = ["The target must differ from the start value."]
    if key_result.weight is not None and key_result.weight <= 0:
        errors["weight"] = ["The weight must be greater than 0."]
    _raise_if(errors)


@transaction.atomic
def key_result_delete(*, actor: Membership, key_result: KeyResult) -> None:
    """Delete a key result and its check-ins; the objectives that supported it become unaligned."""
    _require_own(actor, key_result)
    objective = key_result.objective
    _require_key_result_rights(actor, objective)
    _refuse_if_closed(objective.cycle)
    record_activity(
        actor=actor,
        verb="deleted",
        target=key_result,
        summary=f"deleted key result “{key_result.title}” of “{objective.title}”",
        objective=objective,
    )
    key_result.delete()
    schedule_roll_up(organization_id=actor.organization_id, objective_ids=[objective.pk])


def key_result_move(*, actor: Membership, key_result: KeyResult, direction: str | None) -> bool:
    """Move a key result up or down among its objective's key results (False: no neighbour)."""
    siblings = list(
        KeyResult.objects.filter(objective_id=key_result.objective_id).select_related(
            "objective__cycle"
        )
    )
    return reorder(
        siblings, key_result.pk, direction, key_result_update, actor=actor, kind="key_result"
    )
