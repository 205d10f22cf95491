"""The activity log: every write leaves a row saying who changed what."""

from __future__ import annotations

from typing import Any

from accounts.models import Membership
from okr.models import Activity, KeyResult, Objective
from okr.versions import organization_changed


def record_activity(
    *,
    actor: Membership,
    verb: str,
    target: Any,
    summary: str,
    changes: dict | None = None,
    objective: Objective | None = None,
    key_result: KeyResult | None = None,
) -> Activity:
    """Write one activity row in the caller's transaction.

    ``objective`` ties the row to an objective so that the activity of a private
    objective stays as private as the objective itself. Every write records one,
    so this is also where the organization's version moves (``okr/versions.py``):
    after the commit, for the API tree's ``ETag``.
    """
    if key_result is not None and objective is None:
        objective = key_result.objective
    organization_changed(actor.organization_id)
    return Activity.objects.create(
        organization_id=actor.organization_id,
        actor_id=actor.user_id,
        verb=verb,
        target_type=_target_type(target),
        target_id=getattr(target, "pk", None),
        summary=summary[:500],
        changes=_jsonable(changes or {}),
        objective=objective if objective is not None and objective.pk else None,
        key_result=key_result if key_result is not None and key_result.pk else None,
        is_private=bool(objective is not None and objective.is_private),
    )


def _target_type(target: Any) -> str:
    names = {"KeyResult": "key_result", "CheckIn": "check_in"}
    name = type(target).__name__
    return names.get(name, name.lower())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def diff(instance: Any, changes: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value changes."""
    result = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        old_cmp = getattr(old, "pk", old)
        new_cmp = getattr(new, "pk", new)
        if old_cmp != new_cmp:
            result[field] = [old, new]
    return result
