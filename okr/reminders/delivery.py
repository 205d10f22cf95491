"""Sending, exactly once: claim a delivery row per member and local date, send, record."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization
from accounts.rls import tenant
from okr.models import (
    KeyResult,
    ReminderDelivery,
)
from okr.reminders.audience import due_key_results, recipient_batches, recipients
from okr.reminders.email import build_reminder_email
from okr.reminders.schedule import _aware, organizations_due_at

logger = logging.getLogger(__name__)

BATCH_SIZE = settings.REMINDER_BATCH_SIZE
# Attempts per delivery (the first send included) before we give up on it.
MAX_ATTEMPTS = 6


class ReminderSendFailed(Exception):
    """The mail backend refused a reminder; the delivery is recorded as failed."""


@dataclasses.dataclass(frozen=True)
class SentReminder:
    email: str
    organization: str
    key_results: int


@dataclasses.dataclass
class ReminderReport:
    """What a run did: the e-mails sent and failed, those sent before, those another run held."""

    organizations: int = 0
    sent: list[SentReminder] = dataclasses.field(default_factory=list)
    failed: list[SentReminder] = dataclasses.field(default_factory=list)
    already_sent: int = 0
    skipped: int = 0

    def add(self, other: ReminderReport) -> None:
        self.sent.extend(other.sent)
        self.failed.extend(other.failed)
        self.already_sent += other.already_sent
        self.skipped += other.skipped

    def summary(self) -> dict:
        return {
            "organizations": self.organizations,
            "sent": len(self.sent),
            "failed": len(self.failed),
            "already_sent": self.already_sent,
            "skipped": self.skipped,
        }


def send_reminders(
    at: datetime.datetime | None = None,
    *,
    batch_size: int | None = None,
    retry: Callable[[int, int], None] | None = None,
) -> ReminderReport:
    """Send every reminder due at ``at`` (default: now), synchronously, and report.

    Safe to run twice or concurrently: each member gets at most one e-mail per local
    date (see ``send_batch``).
    """
    at = _aware(at)
    report = ReminderReport()
    for organization in organizations_due_at(at):
        report.organizations += 1
        # Step by step, as the tasks do: each claim commits before its e-mail goes.
        with tenant(organization.pk, atomic=False):
            report.already_sent += ReminderDelivery.objects.filter(
                organization=organization,
                local_date=organization.local_date(at),
                status=ReminderDelivery.Status.SENT,
            ).count()
            for membership_ids in list(recipient_batches(organization, batch_size)):
                report.add(send_batch(organization, at, membership_ids, retry=retry))
    return report


def send_batch(
    organization: Organization,
    at: datetime.datetime,
    membership_ids: Sequence[int],
    *,
    retry: Callable[[int, int], None] | None = None,
) -> ReminderReport:
    """Claim, send and record the reminders of these members; a constant number of queries.

    1. load the members still eligible, 2. their due key results, 3. insert the
    claims (the unique constraint drops those another run already holds), 4. take
    over this date's failed rows, 5. read back the rows this run holds, then send
    them and 6. mark them sent in one update. Failures cost one update each.

    ``retry(delivery_id, organization_id)`` runs after commit for each failed send (the tasks pass the
    one that enqueues ``send_reminder_email``); without it the row stays failed and
    the next run takes it over.
    """
    at = _aware(at)
    report = ReminderReport()
    local_date = organization.local_date(at)
    members = list(
        recipients(organization, at)
        .filter(pk__in=list(membership_ids))
        .select_related("user")
        .order_by("pk")
    )
    if not members:
        return report
    key_results_by_owner: dict[int, list[KeyResult]] = defaultdict(list)
    for key_result in (
        due_key_results(organization, at)
        .filter(owner_id__in={member.user_id for member in members})
        .select_related("objective__cycle")  # the e-mail says where each stands against pace
        .order_by("objective__position", "objective_id", "position", "id")
    ):
        key_results_by_owner[key_result.owner_id].append(key_result)
    # A check-in between the two queries may have made a member not due after all.
    members = [member for member in members if key_results_by_owner[member.user_id]]
    if not members:
        return report

    token = uuid.uuid4().hex
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                organization=organization,
                membership=member,
                local_date=local_date,
                key_result_ids=[kr.pk for kr in key_results_by_owner[member.user_id]],
                claim_token=token,
            )
            for member in members
        ],
        ignore_conflicts=True,
    )
    # A row whose send failed (and which no retry holds right now) is ours to try again.
    claimable = ReminderDelivery.objects.filter(
        membership_id__in=[member.pk for member in members], local_date=local_date
    )
    claimable.filter(status=ReminderDelivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS).update(
        status=ReminderDelivery.Status.PENDING, claim_token=token
    )
    held = dict(
        claimable.filter(claim_token=token, status=ReminderDelivery.Status.PENDING).values_list(
            "membership_id", "pk"
        )
    )

    sent_ids: list[int] = []
    failures: list[tuple[int, Exception]] = []
    connection = get_connection()
    try:
        for member in members:
            delivery_id = held.get(member.pk)
            if delivery_id is None:
                report.skipped += 1
                continue
            member.organization = organization  # the one loaded, not a query per member
            key_results = key_results_by_owner[member.user_id]
            entry = SentReminder(member.user.email, organization.slug, len(key_results))
            message = build_reminder_email(
                member, key_results, local_date=local_date, connection=connection
            )
            try:
                message.send()
            except Exception as error:  # any backend failure: recorded and retried, not lost
                failures.append((delivery_id, error))
                report.failed.append(entry)
            else:
                sent_ids.append(delivery_id)
                report.sent.append(entry)
    finally:
        connection.close()

    if sent_ids:
        ReminderDelivery.objects.filter(pk__in=sent_ids, claim_token=token).update(
            status=ReminderDelivery.Status.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            last_error="",
            claim_token="",
        )
    for delivery_id, error in failures:
        _record_failure(delivery_id, token, error)
        if retry is not None:
            transaction.on_commit(
                functools.partial(retry, delivery_id, organization.pk), robust=True
            )
    return report


def _record_failure(delivery_id: int, token: str, error: Exception) -> None:
    logger.warning(
        "check-in reminder failed", extra={"delivery": delivery_id, "error": repr(error)}
    )
    ReminderDelivery.objects.filter(pk=delivery_id, claim_token=token).update(
        status=ReminderDelivery.Status.FAILED,
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claim_token="",
    )


def send_delivery(delivery_id: int) -> str:
    """Send one failed delivery again (the retry task). Answers what happened.

    Claims the row first (``failed`` → ``pending`` under a new token), so a retry
    never races a re-run or another retry. Raises ``ReminderSendFailed`` when the
    backend refuses again, for the task to retry with backoff.
    """
    token = uuid.uuid4().hex
    claimed = ReminderDelivery.objects.filter(
        pk=delivery_id, status=ReminderDelivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS
    ).update(status=ReminderDelivery.Status.PENDING, claim_token=token)
    if not claimed:
        return "skipped"
    delivery = ReminderDelivery.objects.select_related(
        "membership__user", "membership__organization"
    ).get(pk=delivery_id)
    membership = delivery.membership
    user = membership.user
    key_results = list(
        KeyResult.objects.filter(
            pk__in=delivery.key_result_ids,
            organization_id=membership.organization_id,
            owner_id=user.pk,
        )
        .select_related("objective__cycle")  # the e-mail says where each stands against pace
        .order_by("objective__position", "objective_id", "position", "id")
    )
    still_wanted = membership.is_active and user.is_active and user.checkin_reminders
    if not (still_wanted and key_results):
        # Nothing left to remind them of: give up on the row for good.
        ReminderDelivery.objects.filter(pk=delivery_id, claim_token=token).update(
            status=ReminderDelivery.Status.FAILED,
            attempts=MAX_ATTEMPTS,
            last_error="Dropped: the member no longer gets reminders for these key results.",
            claim_token="",
        )
        return "dropped"
    message = build_reminder_email(membership, key_results, local_date=delivery.local_date)
    try:
        message.send()
    except Exception as error:  # recorded, then retried by the task
        _record_failure(delivery_id, token, error)
        raise ReminderSendFailed(f"reminder {delivery_id}: {error}") from error
    ReminderDelivery.objects.filter(pk=delivery_id, claim_token=token).update(
        status=ReminderDelivery.Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        claim_token="",
    )
    return "sent"
