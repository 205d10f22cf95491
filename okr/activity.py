"""The activity log: every write leaves a row saying who changed what."""

from __future__ import annotations

from typing import Any

from accounts.models import Membership, Role, Team, User
from okr.formatting import format_number
from okr.models import (
    Activity,
    Confidence,
    CycleStatus,
    KeyResult,
    Level,
    Metric,
    Objective,
    ProgressSource,
    Visibility,
)
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


# --- Reading the log back: what changed, in words ---------------------------------------

# The kinds of entry the activity page filters by (``Activity.target_type``).
KINDS = {
    "check_in": "Check-ins",
    "objective": "Objectives",
    "key_result": "Key results",
    "cycle": "Cycles",
    "team": "Teams",
    "membership": "Members",
    "invitation": "Invitations",
    "organization": "Settings",
}


def activity_kinds_for(membership: Membership) -> dict[str, str]:
    """The kinds the member may filter by: invitations are the admins' business (as in
    ``selectors.visible_activity``)."""
    return {
        key: label for key, label in KINDS.items() if membership.is_admin or key != "invitation"
    }


FIELD_LABELS = {
    "current_value": "Value",
    "start_value": "Start",
    "target_value": "Target",
    "parent_key_result": "Supports",
    "progress_source": "Progress from",
    "is_active": "Active",
    "checkin_weekday": "Check-in day",
    "checkin_hour": "Check-in hour",
    "checkin_cadence_days": "Check-in every (days)",
    "grade_note": "Grade note",
    "end_date": "End",
    "start_date": "Start",
}
NUMERIC_FIELDS = {"current_value", "start_value", "target_value", "weight", "grade"}
USER_FIELDS = {"owner", "lead", "user"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def describe_changes(entries: list[Activity]) -> list[Activity]:
    """Give each entry ``change_lines``: ``(label, before, after)`` for each field it changed
    (and return the entries).

    Only fields recorded as a before/after pair are shown. People and teams are
    named (two queries for the whole list, whatever its length); other values go
    through ``okr.formatting`` or their choice labels.
    """
    choices = {}
    for enum in (Confidence, CycleStatus, Level, Metric, ProgressSource, Visibility, Role):
        choices.update(dict(enum.choices))
    pairs = [
        (entry, field, value)
        for entry in entries
        for field, value in (entry.changes or {}).items()
        if isinstance(value, list) and len(value) == 2
    ]
    user_ids = {v for _, f, value in pairs if f in USER_FIELDS for v in value if v}
    team_ids = {v for _, f, value in pairs if f in ("team", "parent") for v in value if v}
    users = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))

    def shown(field: str, value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if field in NUMERIC_FIELDS:
            return format_number(value)
        if field in USER_FIELDS:
            return users.get(value, "someone")
        if field in ("team", "parent"):
            return teams.get(value, "a deleted team")
        if field == "checkin_weekday" and isinstance(value, int) and 0 <= value < 7:
            return WEEKDAYS[value]
        if field == "parent_key_result":
            return f"key result #{value}"
        if isinstance(value, str) and value in choices:
            return str(choices[value])
        return str(value)

    for entry in entries:
        entry.change_lines = []
    for entry, field, (before, after) in pairs:
        label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
        entry.change_lines.append((label, shown(field, before), shown(field, after)))
    return entries
