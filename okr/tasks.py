"""Celery tasks: each takes ids, loads, and calls one domain function."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import Organization
from accounts.rls import all_tenants, tenant
from okr import progress, reminders, rollups

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
    with tenant(organization_id):
        report = progress.roll_up(
            organization_id=organization_id,
            objective_ids=objective_ids,
            key_result_ids=key_result_ids,
        )
    return {"objectives": report.objectives, "key_results": report.key_results}


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def drain_roll_ups(self, organization_id: int) -> dict:
    """Roll up every node the organization's writes left pending, in one batch (okr/rollups.py)."""
    with tenant(organization_id):
        return rollups.drain(organization_id, job_id=self.request.id or "")


@shared_task
def reconcile_progress() -> dict:
    """Nightly: recompute every organization from the leaves, fix and report what differed."""
    corrected = 0
    # Organizations are not a tenant table; each one is then recomputed as its own tenant.
    for organization_id in list(Organization.objects.values_list("pk", flat=True)):
        with tenant(organization_id):
            corrected += progress.recompute_all(organization_id=organization_id).corrected
    logger.info("progress reconciled", extra={"corrected": corrected})
    return {"corrected": corrected}


# --- Check-in reminders (okr/reminders/, docs/reminders.md) ------------------------------------


@shared_task
def send_checkin_reminders(at_iso: str | None = None) -> dict:
    """Hourly (beat): fan out one task per organization whose check-in hour it is now."""
    at = reminders.parse_moment(at_iso) if at_iso else timezone.now()
    with all_tenants():  # the hourly fan-out looks at every organization's hour
        organizations = reminders.organizations_due_at(at)
    for organization in organizations:
        send_organization_reminders.delay(organization.pk, at.isoformat())
    return {"at": at.isoformat(), "organizations": len(organizations)}


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_organization_reminders(organization_id: int, at_iso: str) -> dict:
    """Fan out one task per batch of recipients. Safe to repeat: the batches claim their rows."""
    batches = 0
    with tenant(organization_id):
        organization = Organization.objects.get(pk=organization_id)
        batches_of_ids = list(reminders.recipient_batches(organization))
    for membership_ids in batches_of_ids:
        send_reminder_batch.delay(organization_id, at_iso, membership_ids)
        batches += 1
    return {"organization": organization_id, "batches": batches}


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_reminder_batch(organization_id: int, at_iso: str, membership_ids: list[int]) -> dict:
    """Claim, send and record the reminders of one batch of members (exactly once each)."""
    # Step by step, not one transaction: a claim must be committed before its e-mail goes.
    with tenant(organization_id, atomic=False):
        organization = Organization.objects.get(pk=organization_id)
        report = reminders.send_batch(
            organization, reminders.parse_moment(at_iso), membership_ids, retry=retry_reminder_later
        )
    return report.summary()


@shared_task(
    autoretry_for=(reminders.ReminderSendFailed, OperationalError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    retry_kwargs={"max_retries": reminders.MAX_ATTEMPTS},
)
def send_reminder_email(delivery_id: int, organization_id: int) -> str:
    """Send a reminder whose first send failed; retried with backoff until it goes out."""
    with tenant(organization_id, atomic=False):  # claim, send, record: step by step
        return reminders.send_delivery(delivery_id)


def retry_reminder_later(delivery_id: int, organization_id: int) -> None:
    """Enqueue the retry of a failed reminder; a broker that is down leaves the row failed."""
    try:
        send_reminder_email.apply_async((delivery_id, organization_id), countdown=60)
    except Exception:  # broker down, or an eager retry that failed again: the row stays failed
        logger.exception("could not retry a check-in reminder", extra={"delivery": delivery_id})
