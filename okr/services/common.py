"""What every write service shares: the roll-up after commit and the common checks."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from accounts.models import Membership, User
from accounts.tenancy import is_active_member
from okr.models import (
    DECIMAL,
    Cycle,
    CycleStatus,
)

CLOSED_CYCLE_MESSAGE = (
    "This cycle is closed: its objectives, key results and check-ins are read-only."
)
CLOSED_CYCLE = "closed_cycle"  # the error code pages and clients tell the refusal by
INTEGER_DIGITS = DECIMAL["max_digits"] - DECIMAL["decimal_places"]
MAX_DECIMAL = Decimal(10) ** INTEGER_DIGITS
QUANTUM = Decimal(1).scaleb(-DECIMAL["decimal_places"])


class NotFound(Exception):
    """The row is not the actor's organization's: to them it does not exist (404 upstream)."""


logger = logging.getLogger(__name__)


# --- Roll-up scheduling -------------------------------------------------------------


def schedule_roll_up(*, organization_id: int, objective_ids=(), key_result_ids=()) -> None:
    """Roll the nodes up once the current transaction has committed (coalesced: okr/rollups.py)."""
    objective_ids = sorted({pk for pk in objective_ids if pk})
    key_result_ids = sorted({pk for pk in key_result_ids if pk})
    if not objective_ids and not key_result_ids:
        return
    # Robust: the write has committed; whatever happens next, the response must not say
    # it failed (the client would retry and check in twice).
    transaction.on_commit(
        lambda: _enqueue_roll_up(organization_id, objective_ids, key_result_ids),
        robust=True,
    )


def _enqueue_roll_up(organization_id: int, objective_ids: list, key_result_ids: list) -> None:
    """Hand the roll-up to a worker; with the broker down, run it here and now.

    The job is O(depth) rows and idempotent, so running it in the request keeps the
    ancestors right at once; a worker that gets a copy later changes nothing.
    """
    from okr.rollups import request_roll_up
    from okr.tasks import roll_up_progress

    arguments = (organization_id, objective_ids, key_result_ids)
    try:
        request_roll_up(*arguments)
    except Exception:  # Redis is unreachable (kombu or redis errors alike)
        logger.error(
            "roll-up not enqueued, the broker is down: running it in-process",
            exc_info=True,
            extra={"organization": organization_id},
        )
        roll_up_progress.apply(args=arguments, throw=True)


# --- Shared checks ---------------------------------------------------------------------


def _refuse_if_closed(cycle: Cycle, field: str = NON_FIELD_ERRORS) -> None:
    if cycle.status == CycleStatus.CLOSED:
        raise ValidationError({field: [ValidationError(CLOSED_CYCLE_MESSAGE, code=CLOSED_CYCLE)]})


def _require_own(actor: Membership, row: Any) -> None:
    """The row written to must be the actor's organization's: to anyone else it does not exist.

    Views and serializers resolve rows through the selectors already; this is the backstop.
    """
    if row.organization_id != actor.organization_id:
        raise NotFound(f"No such {type(row).__name__.lower()}.")


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
            f"Ensure this value has at most {INTEGER_DIGITS} digits before the point."
        )
    elif value != value.quantize(QUANTUM):
        # The column keeps 6 places; a finer value would be rounded on save and
        # the progress computed from it would no longer match the stored value.
        errors.setdefault(field, []).append(
            f"Ensure that there are no more than {DECIMAL['decimal_places']} decimal places."
        )


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Reordering ------------------------------------------------------------------------


@transaction.atomic
def reorder(
    rows: list, pk: int, direction: str | None, update, *, actor: Membership, kind: str
) -> bool:
    """Swap a row with its neighbour (``direction`` "up" or "down"), renumbering ``position``.

    Each changed row is written through ``update`` (the entity's update service); rows
    whose position already matches their new index are left alone, so a move usually
    writes two rows. Any other direction, or a move past either end, changes nothing
    and answers False.
    """
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if other is None or not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            update(actor=actor, **{kind: row}, position=position)
    return True
