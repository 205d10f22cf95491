"""Writes to cycles, objectives, key results and check-ins.

Each service checks the actor's rights (403), then the rules (400), then
writes, records the activity and enqueues the progress roll-up after commit —
all in one transaction, so nothing is ever half-written. The HTML forms and
the API serializers parse input; the rules live here, once.

References passed in (cycle, team, owner, parent key result) must already be
resolved within the actor's organization; they are checked again here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Team, User
from accounts.tenancy import is_active_member
from okr import permissions
from okr.activity import diff, record_activity
from okr.models import (
    CheckIn,
    Confidence,
    Cycle,
    CycleStatus,
    KeyResult,
    Level,
    Metric,
    Objective,
    ProgressSource,
    Visibility,
)
from okr.progress import key_result_own_progress

CLOSED_CYCLE_MESSAGE = (
    "This cycle is closed: its objectives, key results and check-ins are read-only."
)
MAX_DECIMAL = Decimal("1e14")  # 20 digits, 6 after the point


# --- Roll-up scheduling -------------------------------------------------------------


def schedule_roll_up(*, organization_id: int, objective_ids=(), key_result_ids=()) -> None:
    """Enqueue the roll-up job once the current transaction has committed."""
    from okr.tasks import roll_up_progress

    objective_ids = sorted({pk for pk in objective_ids if pk})
    key_result_ids = sorted({pk for pk in key_result_ids if pk})
    if not objective_ids and not key_result_ids:
        return
    # Robust: the write has committed; if the broker is down, the response must not say
    # it failed (the client would retry and check in twice). The error is logged, and the
    # nightly reconcile brings the ancestors back.
    transaction.on_commit(
        lambda: roll_up_progress.delay(organization_id, objective_ids, key_result_ids),
        robust=True,
    )


# --- Shared checks ---------------------------------------------------------------------


def _refuse_if_closed(cycle: Cycle, field: str = NON_FIELD_ERRORS) -> None:
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError({field: [CLOSED_CYCLE_MESSAGE]})


def _require_own(actor: Membership, row: Any) -> None:
    """The row written to must be the actor's organization's: to anyone else it does not exist.

    Views and serializers resolve rows through the selectors already; this is the backstop.
    """
    if row.organization_id != actor.organization_id:
        raise Http404("Not found.")


def _require_same_organization(actor: Membership, **references: Any) -> None:
    for field, value in references.items():
        if value is not None and value.organization_id != actor.organization_id:
            raise ValidationError({field: ["Select a valid choice."]})


def _require_active_member(actor: Membership, user: User, field: str = "owner") -> None:
    if not is_active_member(actor.organization_id, user):
        raise ValidationError({field: ["The owner must be an active member of this organization."]})


def _check_decimal(errors: dict, field: str, value) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            errors.setdefault(field, []).append("Enter a number.")
            return
    if not value.is_finite():
        errors.setdefault(field, []).append("Enter a finite number.")
    elif abs(value) >= MAX_DECIMAL:
        errors.setdefault(field, []).append(
            "Ensure this value has at most 14 digits before the point."
        )
    elif value != value.quantize(Decimal("0.000001")):
        # The column keeps 6 places; a finer value would be rounded on save and
        # the progress computed from it would no longer match the stored value.
        errors.setdefault(field, []).append("Ensure that there are no more than 6 decimal places.")


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Cycles ---------------------------------------------------------------------


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


# --- Objectives ---------------------------------------------------------------------


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
    """Create an objective, aligned to ``parent_key_result`` when one is given."""
    owner = owner or actor.user
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


# --- Key results -------------------------------------------------------------------


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
    owner = owner or actor.user
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
    _require_own(actor, key_result)
    objective = key_result.objective
    _require_key_result_rights(actor, objective)
    _refuse_if_closed(objective.cycle)
    # Lock the row and read what check-ins and roll-ups write, so that this edit
    # neither loses a concurrent check-in nor writes back a stale progress.
    locked = KeyResult.objects.select_for_update().get(pk=key_result.pk)
    for field in ("current_value", "confidence", "last_check_in_at", "progress"):
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
    for field in ("start_value", "target_value", "weight"):
        _check_decimal(errors, field, getattr(key_result, field))
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


# --- Check-ins ---------------------------------------------------------------------


@transaction.atomic
def check_in_record(
    *,
    actor: Membership,
    key_result: KeyResult,
    value: Decimal,
    confidence: str,
    note: str = "",
) -> CheckIn:
    """Record a check-in and update its key result at once; the ancestors roll up after commit.

    The key result row is locked first, so concurrent check-ins on one key result
    apply in the order of their ``created_at`` and the latest always shows.
    """
    _require_own(actor, key_result)
    permissions.require_check_in_rights(actor, key_result)
    _refuse_if_closed(key_result.objective.cycle)
    errors: dict[str, list[str]] = {}
    if key_result.is_aligned:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    "This key result takes its progress from the objectives below it: it takes no check-ins."
                ]
            }
        )
    if value is None:
        errors["value"] = ["This field is required."]
    _check_decimal(errors, "value", value)
    if confidence not in Confidence.values:
        errors["confidence"] = [f"“{confidence}” is not one of on_track, at_risk, off_track."]
    if note and len(note) > 2000:
        errors["note"] = ["Ensure this field has no more than 2000 characters."]
    _raise_if(errors)
    if key_result.is_milestone and value not in (0, 1):
        raise ValidationError({"value": ["A milestone takes 0 (not done) or 1 (done)."]})

    locked = KeyResult.objects.select_for_update().get(pk=key_result.pk)
    now = timezone.now()
    check_in = CheckIn.objects.create(
        organization_id=actor.organization_id,
        key_result=locked,
        author_id=actor.user_id,
        value=value,
        confidence=confidence,
        note=note or "",
        created_at=now,
    )
    before = {"current_value": locked.current_value, "confidence": locked.confidence}
    locked.current_value = value
    locked.confidence = confidence
    locked.last_check_in_at = now
    locked.progress = key_result_own_progress(locked)
    locked.save(
        update_fields=["current_value", "confidence", "last_check_in_at", "progress", "updated_at"]
    )
    for field in ("current_value", "confidence", "last_check_in_at", "progress"):
        setattr(key_result, field, getattr(locked, field))
    record_activity(
        actor=actor,
        verb="checked_in",
        target=check_in,
        summary=f"checked in {Decimal(value).normalize():f} on “{key_result.title}”",
        changes={
            "current_value": [before["current_value"], value],
            "confidence": [before["confidence"], confidence],
        },
        key_result=key_result,
    )
    schedule_roll_up(organization_id=actor.organization_id, objective_ids=[key_result.objective_id])
    return check_in
