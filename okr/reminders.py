"""Who is due for a check-in (SPEC section 5). The e-mail job builds on this."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Membership, Organization
from okr.models import CycleStatus, KeyResult, ProgressSource


def due_boundary(organization: Organization, at: datetime.datetime) -> datetime.datetime:
    """The instant before which a last check-in makes a key result due.

    A key result is due when ``local_date(at) − local_date(last) ≥ cadence``, i.e.
    when ``last`` falls before local midnight of ``local_date(at) − cadence + 1``.
    """
    tz = organization.tzinfo
    today = at.astimezone(tz).date()
    first_not_due_day = today - datetime.timedelta(days=organization.checkin_cadence_days - 1)
    return datetime.datetime.combine(first_not_due_day, datetime.time.min, tzinfo=tz)


def due_key_results(organization: Organization, at: datetime.datetime | None = None) -> QuerySet[KeyResult]:
    """Every due measured key result of the organization in a cycle active on its local date."""
    at = at or timezone.now()
    today = at.astimezone(organization.tzinfo).date()
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


def due_key_results_for(membership: Membership, at: datetime.datetime | None = None) -> QuerySet[KeyResult]:
    """The key results this member owns that are due for a check-in, as of ``at``."""
    return (
        due_key_results(membership.organization, at)
        .filter(owner_id=membership.user_id)
        .select_related("objective", "objective__cycle")
        .order_by("objective__position", "objective_id", "position", "id")
    )
