"""Celery tasks: each takes ids, loads, and calls one domain function."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from accounts.models import Organization
from okr import progress

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def roll_up_progress(
    organization_id: int, objective_ids: list[int], key_result_ids: list[int]
) -> dict:
    """Recompute the ancestors of the changed nodes, O(depth) rows. Idempotent."""
    report = progress.roll_up(
        organization_id=organization_id,
        objective_ids=objective_ids,
        key_result_ids=key_result_ids,
    )
    return {"objectives": report.objectives, "key_results": report.key_results}


@shared_task
def reconcile_progress() -> dict:
    """Nightly: recompute every organization from the leaves, fix and report what differed."""
    corrected = 0
    for organization_id in Organization.objects.values_list("pk", flat=True).iterator():
        corrected += progress.recompute_all(organization_id=organization_id).corrected
    logger.info("progress reconciled", extra={"corrected": corrected})
    return {"corrected": corrected}
