"""Who gets a reminder: the due key results and their owners."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Membership, Organization
from okr.models import (
    CycleStatus,
    KeyResult,
    ProgressSource,
    ReminderDelivery,
)
from okr.reminders.schedule import _aware, first_instant_at


def due_boundary(organization: Organization, at: datetime.datetime) -> datetime.datetime:
    """The instant before which a last check-in makes a key result due.

    A key result is due when ``local_date(at) − local_date(last) ≥ cadence``, i.e.
    when ``last`` falls before the first instant of local day
    ``local_date(at) − cadence + 1``.
    """
    tz = organization.tzinfo
    today = _aware(at).astimezone(tz).date()
    first_not_due_day = today - datetime.timedelta(days=organization.checkin_cadence_days - 1)
    return first_instant_at(tz, first_not_due_day, 0)


def due_key_results(
    organization: Organization, at: datetime.datetime | None = None
) -> QuerySet[KeyResult]:
    """Every due measured key result of the organization in a cycle active on its local date.

    Due: the organization's local date at ``at`` minus the local date of the last
    check-in (of the key result's creation, if none) is at least the cadence.
    """
    at = _aware(at)
    today = organization.local_date(at)
    return (
        KeyResult.objects.filter(
            organization=organization,
            progress_source=ProgressSource.MEASURED,
            objective__cycle__status=CycleStatus.ACTIVE,
            objective__cycle__start_date__lte=today,
            objective__cycle__end_date__gte=today,
        )
        .alias(last_activity=Coalesce("last_check_in_at", "created_at"))
        .filter(last_activity__lt=due_boundary(organization, at))
    )


def due_key_results_for(
    membership: Membership, at: datetime.datetime | None = None
) -> QuerySet[KeyResult]:
    """The key results this member owns that are due for a check-in, as of ``at``.

    Only the member's own key results: a private objective appears only to the owner
    of one of its key results, who may see it.
    """
    return (
        due_key_results(membership.organization, at)
        .filter(owner_id=membership.user_id)
        .select_related("objective", "objective__cycle")
        .order_by("objective__position", "objective_id", "position", "id")
    )


def reminder_audience(organization: Organization) -> QuerySet[Membership]:
    """Active members of the organization who have not turned reminders off."""
    return Membership.objects.active().filter(
        organization=organization, user__checkin_reminders=True
    )


def recipients(organization: Organization, at: datetime.datetime) -> QuerySet[Membership]:
    """Active members with reminders on who own a due key result and have not had today's e-mail.

    Leaving out those already sent keeps a re-run (a double beat, a retried task)
    cheap; the claim in ``send_batch`` is what makes it safe.
    """
    owns_a_due_key_result = Exists(
        due_key_results(organization, at).filter(owner_id=OuterRef("user_id"))
    )
    already_sent = Exists(
        ReminderDelivery.objects.filter(
            membership_id=OuterRef("pk"),
            local_date=organization.local_date(at),
            status=ReminderDelivery.Status.SENT,
        )
    )
    return reminder_audience(organization).filter(owns_a_due_key_result, ~already_sent)


def recipient_batches(
    organization: Organization, batch_size: int | None = None
) -> Iterator[list[int]]:
    """The ids of the members who may get a reminder, ``batch_size`` at a time.

    Keyset pages over the active members with reminders on: one cheap query each,
    whatever the size of the organization. ``send_batch`` narrows each page to those
    who are due and have not had today's e-mail — the due rule joins key results,
    objectives and cycles, which is cheap for 500 given ids and costly for a whole
    organization on every page.
    """
    batch_size = batch_size or settings.REMINDER_BATCH_SIZE
    last_id = 0
    while True:
        ids = list(
            reminder_audience(organization)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        yield ids
        if len(ids) < batch_size:
            return
        last_id = ids[-1]
