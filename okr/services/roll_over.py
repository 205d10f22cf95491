"""Roll-over: carry unfinished key results of one cycle into another, all or nothing.

For each distinct objective of the listed key results, one new objective in the
target cycle holds copies of the listed key results only. The copies start
where their sources stand (``start_value`` = the source's ``current_value``)
and remember where they came from (``rolled_over_from``). The rules, the
alignment of the copies included, are in ``docs/pace-and-grades.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership
from accounts.tenancy import active_member_users
from okr import permissions, selectors
from okr.activity import record_activity
from okr.models import Cycle, CycleStatus, KeyResult, Objective
from okr.progress import key_result_own_progress
from okr.services.common import _require_own, schedule_roll_up

MAX_KEY_RESULTS = 200


@dataclass(frozen=True)
class RollOver:
    """What a roll-over created, in order: the new objectives and the new key results."""

    objectives: list[Objective]
    key_results: list[KeyResult]


def _listed_key_results(actor: Membership, key_result_ids: Iterable[int]) -> list[KeyResult]:
    """The visible key results among the ids, with their objectives, locked for the roll-over."""
    ids = sorted({pk for pk in key_result_ids if pk})
    return list(
        selectors.visible_key_results(actor)
        .filter(pk__in=ids)
        .select_related("objective", "objective__parent_key_result__objective__cycle")
        .select_for_update(of=("self",))
        .order_by("objective__position", "objective_id", "position", "id")
    )


def roll_over_require_rights(actor: Membership, key_result_ids: Iterable[int]) -> None:
    """403 unless the actor may create every objective the roll-over of these would create.

    A roll-over creates a copy of each listed key result's objective, with the same
    level and owner: the rights are those of creating that objective. Ids that name
    no visible key result are left to the validation (400).
    """
    ids = sorted({pk for pk in key_result_ids if pk})
    objectives = Objective.objects.filter(
        pk__in=selectors.visible_key_results(actor).filter(pk__in=ids).values("objective_id")
    ).values_list("level", "owner_id")
    for level, owner_id in objectives:
        permissions.require_objective_rights(actor, level=level, owner_id=owner_id)


@transaction.atomic
def cycle_roll_over(
    *,
    actor: Membership,
    cycle: Cycle,
    to_cycle: Cycle,
    key_result_ids: Iterable[int],
) -> RollOver:
    """Copy the listed unfinished key results of ``cycle`` into ``to_cycle``; nothing on refusal.

    403 when the actor could not create one of the objectives it would create.
    400 when ``to_cycle`` is this cycle, closed or another organization's; when a
    listed key result is unknown, not in this cycle, finished (progress ≥ 100) or
    already rolled over into ``to_cycle``; when an owner to copy is no longer an
    active member. Copies align as their sources did: to the copy of the key
    result their source supported when it is copied in the same call, else to
    the same key result while its cycle is open, else to nothing.
    """
    _require_own(actor, cycle)
    key_result_ids = list(key_result_ids)
    roll_over_require_rights(actor, key_result_ids)
    sources = _listed_key_results(actor, key_result_ids)
    _validate(actor, cycle, to_cycle, key_result_ids, sources)

    source_objectives: dict[int, Objective] = {}
    for source in sources:
        source_objectives.setdefault(source.objective_id, source.objective)

    new_objectives: dict[int, Objective] = {}
    for source_id, source in source_objectives.items():
        copy = Objective.objects.create(
            organization_id=actor.organization_id,
            cycle=to_cycle,
            title=source.title,
            description=source.description,
            level=source.level,
            team_id=source.team_id,
            owner_id=source.owner_id,
            visibility=source.visibility,
            position=source.position,
            rolled_over_from=source,
        )
        new_objectives[source_id] = copy

    new_key_results: dict[int, KeyResult] = {}
    for source in sources:
        copy = KeyResult(
            organization_id=actor.organization_id,
            objective=new_objectives[source.objective_id],
            title=source.title,
            owner_id=source.owner_id,
            metric=source.metric,
            unit=source.unit,
            start_value=source.current_value,
            target_value=source.target_value,
            current_value=source.current_value,
            weight=source.weight,
            progress_source=source.progress_source,
            position=source.position,
            rolled_over_from=source,
        )
        if copy.is_aligned and copy.start_value == copy.target_value:
            # An aligned key result ignores its values; keep them a valid range.
            copy.start_value = copy.current_value = source.start_value
        copy.progress = key_result_own_progress(copy) or 0.0
        copy.save()
        new_key_results[source.pk] = copy

    for source_id, copy in new_objectives.items():
        parent = source_objectives[source_id].parent_key_result
        if parent is None:
            continue
        if parent.pk in new_key_results:
            copy.parent_key_result = new_key_results[parent.pk]
        elif parent.objective.cycle.status != CycleStatus.CLOSED:
            copy.parent_key_result = parent
        else:
            continue
        copy.save(update_fields=["parent_key_result"])

    summary_tail = f"from “{cycle.name}” into “{to_cycle.name}”"
    for source_id, copy in new_objectives.items():
        record_activity(
            actor=actor,
            verb="rolled_over",
            target=copy,
            summary=f"rolled objective “{copy.title}” over {summary_tail}",
            changes={"rolled_over_from": source_id, "cycle": [cycle.pk, to_cycle.pk]},
            objective=copy,
        )
    for source_id, copy in new_key_results.items():
        record_activity(
            actor=actor,
            verb="rolled_over",
            target=copy,
            summary=f"rolled key result “{copy.title}” over {summary_tail}",
            changes={"rolled_over_from": source_id, "cycle": [cycle.pk, to_cycle.pk]},
            key_result=copy,
        )

    schedule_roll_up(
        organization_id=actor.organization_id,
        objective_ids=[copy.pk for copy in new_objectives.values()],
        key_result_ids=[copy.pk for copy in new_key_results.values() if copy.is_aligned],
    )
    return RollOver(
        objectives=list(new_objectives.values()), key_results=list(new_key_results.values())
    )


def _validate(
    actor: Membership,
    cycle: Cycle,
    to_cycle: Cycle,
    key_result_ids: list[int],
    sources: list[KeyResult],
) -> None:
    errors: dict[str, list[str]] = {}
    if to_cycle.organization_id != actor.organization_id:
        errors["to_cycle"] = [f'Invalid pk "{to_cycle.pk}" - object does not exist.']
    elif to_cycle.pk == cycle.pk:
        errors["to_cycle"] = ["Choose another cycle than the one the key results are in."]
    elif to_cycle.status == CycleStatus.CLOSED:
        errors["to_cycle"] = [f"“{to_cycle.name}” is closed: reopen it or choose another cycle."]

    messages: list[str] = []
    if not key_result_ids:
        messages.append("Choose at least one key result to roll over.")
    elif len(key_result_ids) > MAX_KEY_RESULTS:
        messages.append(f"Roll over at most {MAX_KEY_RESULTS} key results at once.")
    found = {source.pk for source in sources}
    messages += [
        f'Invalid pk "{pk}" - object does not exist.'
        for pk in dict.fromkeys(key_result_ids)
        if pk not in found
    ]
    already = set(
        KeyResult.objects.filter(
            organization_id=actor.organization_id,
            objective__cycle=to_cycle,
            rolled_over_from__in=found,
        ).values_list("rolled_over_from_id", flat=True)
    )
    for source in sources:
        if source.objective.cycle_id != cycle.pk:
            messages.append(f"“{source.title}” is not in “{cycle.name}”.")
        elif round(source.progress, 9) >= 100:
            messages.append(f"“{source.title}” is finished: only unfinished key results roll over.")
        elif source.pk in already:
            messages.append(f"“{source.title}” was already rolled over into “{to_cycle.name}”.")
    if messages:
        errors["key_results"] = messages
    if not errors:
        _validate_owners(actor, sources, errors)
    if errors:
        raise ValidationError(errors)


def _validate_owners(actor: Membership, sources: list[KeyResult], errors: dict) -> None:
    """The copies keep their owners: each must still be an active member."""
    owners = {source.owner_id for source in sources} | {
        source.objective.owner_id for source in sources
    }
    active = set(
        active_member_users(actor.organization_id)
        .filter(pk__in=owners)
        .values_list("pk", flat=True)
    )
    inactive = owners - active
    for source in sources:
        if source.owner_id in inactive or source.objective.owner_id in inactive:
            errors.setdefault("key_results", []).append(
                f"“{source.title}” or its objective belongs to someone who is no longer an "
                "active member: reassign it first."
            )
