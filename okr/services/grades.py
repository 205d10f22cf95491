"""Grades: the end-of-cycle judgement on a key result, the one write a closed cycle accepts."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership
from okr import permissions
from okr.activity import record_activity
from okr.models import CycleStatus, KeyResult
from okr.scores import parse_grade
from okr.services.common import _require_own

GRADE_FIELDS = ("grade", "grade_note")
GRADE_NOTE_MAX_LENGTH = 500
PLANNING_CYCLE_MESSAGE = "A cycle still in planning has nothing to grade yet."


@transaction.atomic
def key_result_grade(
    *,
    actor: Membership,
    key_result: KeyResult,
    grade: Decimal | float | None,
    note: str = "",
) -> KeyResult:
    """Set (or, with ``grade=None``, clear) a key result's grade and its note.

    Who: those who may check in on it (its owner, its objective's owner,
    managers, admins). When: in an active or a closed cycle — grading is the one
    write a closed cycle takes — never in a planning one. A grade is 0 to 1 in
    steps of 0.01; the note at most 500 characters. Clearing the grade clears
    the note too. Progress does not move: scores are computed when read.
    """
    _require_own(actor, key_result)
    permissions.require_check_in_rights(actor, key_result)
    errors: dict[str, list[str]] = {}
    try:
        grade = parse_grade(grade)
    except ValueError as error:
        errors["grade"] = [str(error)]
    note = "" if grade is None else (note or "")
    if len(note) > GRADE_NOTE_MAX_LENGTH:
        errors["note"] = [f"Ensure this field has no more than {GRADE_NOTE_MAX_LENGTH} characters."]
    if key_result.objective.cycle.status == CycleStatus.PLANNING:
        errors.setdefault("grade", []).insert(0, PLANNING_CYCLE_MESSAGE)
    if errors:
        raise ValidationError(errors)

    locked = KeyResult.objects.select_for_update().get(pk=key_result.pk)
    before = [locked.grade, locked.grade_note]
    locked.grade, locked.grade_note = grade, note
    locked.save(update_fields=[*GRADE_FIELDS, "updated_at"])
    key_result.grade, key_result.grade_note = grade, note
    if before != [grade, note]:
        summary = (
            f"cleared the grade of “{key_result.title}”"
            if grade is None
            else f"graded “{key_result.title}” {grade:f}"
        )
        record_activity(
            actor=actor,
            verb="graded",
            target=key_result,
            summary=summary,
            changes={"grade": [before[0], grade], "grade_note": [before[1], note]},
            key_result=key_result,
        )
    return key_result
