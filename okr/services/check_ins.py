"""Recording a check-in."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from okr import permissions
from okr.activity import record_activity
from okr.formatting import format_value
from okr.models import (
    NOTE_MAX_LENGTH,
    CheckIn,
    Confidence,
    KeyResult,
)
from okr.progress import key_result_own_progress
from okr.services.common import (
    _check_decimal,
    _raise_if,
    _refuse_if_closed,
    _require_own,
    schedule_roll_up,
)


def check_in_record(
    *,
    actor: Membership,
    key_result: KeyResult,
    value: Decimal,
    confidence: str,
    note: str = "",
    locked: bool = False,
) -> CheckIn:
    """Record a check-in and update its key result at once; the ancestors roll up after commit.

    The key result row is locked first, so concurrent check-ins on one key result
    apply in the order of their ``created_at`` and the latest always shows.
    ``locked``: the caller read ``key_result`` ``FOR UPDATE`` in the transaction this
    runs in (``selectors.get_key_result_for_check_in(…, lock=True)``), so it is
    written as read; otherwise it is locked and read again here.
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
        errors["confidence"] = [f"“{confidence}” is not one of {', '.join(Confidence.values)}."]
    if note and len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [f"Ensure this field has no more than {NOTE_MAX_LENGTH} characters."]
    _raise_if(errors)
    if key_result.is_milestone and value not in (0, 1):
        raise ValidationError({"value": ["A milestone takes 0 (not done) or 1 (done)."]})

    # Every refusal is raised above, before the writes: a caller may catch it and go on
    # in its transaction. So the writes need no savepoint of their own (two statements
    # fewer per check-in); if one fails, the caller's transaction fails with it.
    with transaction.atomic(savepoint=False):
        return _write_check_in(actor, key_result, value, confidence, note, locked=locked)


def _write_check_in(
    actor: Membership,
    key_result: KeyResult,
    value: Decimal,
    confidence: str,
    note: str,
    *,
    locked: bool,
) -> CheckIn:
    # The row as of its lock: the caller's own when it read it locked, else read again here.
    row = key_result if locked else KeyResult.objects.select_for_update().get(pk=key_result.pk)
    now = timezone.now()
    check_in = CheckIn.objects.create(
        organization_id=actor.organization_id,
        key_result=row,
        author_id=actor.user_id,
        value=value,
        confidence=confidence,
        note=note or "",
        created_at=now,
    )
    before = {"current_value": row.current_value, "confidence": row.confidence}
    row.current_value = value
    row.confidence = confidence
    row.last_check_in_at = now
    row.progress = key_result_own_progress(row)
    row.save(
        update_fields=["current_value", "confidence", "last_check_in_at", "progress", "updated_at"]
    )
    for field in ("current_value", "confidence", "last_check_in_at", "progress"):
        setattr(key_result, field, getattr(row, field))
    record_activity(
        actor=actor,
        verb="checked_in",
        target=check_in,
        summary=f"checked in {format_value(value, key_result)} on “{key_result.title}”",
        changes={
            "current_value": [before["current_value"], value],
            "confidence": [before["confidence"], confidence],
        },
        key_result=key_result,
    )
    schedule_roll_up(organization_id=actor.organization_id, objective_ids=[key_result.objective_id])
    return check_in
