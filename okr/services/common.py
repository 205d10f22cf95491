"""What every write service shares: the roll-up after commit and the common checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404

from accounts.models import Membership, User
from accounts.tenancy import is_active_member
from okr.models import (
    Cycle,
    CycleStatus,
)

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
