"""When reminders go out: the check-in weekday and hour in the organization's time zone."""

from __future__ import annotations

import datetime
import functools
import logging
import operator
import zoneinfo

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization

logger = logging.getLogger(__name__)

_HOUR = datetime.timedelta(hours=1)
_UTC = datetime.UTC


def parse_moment(value: str) -> datetime.datetime:
    """An ISO 8601 datetime; one without an offset is UTC. ``ValueError`` when it is not one."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ValueError(
            f"“{value}” is not an ISO 8601 datetime (e.g. 2026-11-30T08:00:00Z)."
        ) from None
    return _aware(moment)


def _aware(at: datetime.datetime | None) -> datetime.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        return at.replace(tzinfo=_UTC)
    return at


def _wall(instant: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def first_instant_at(tz: zoneinfo.ZoneInfo, day: datetime.date, hour: int) -> datetime.datetime:
    """The first instant (UTC) at which the wall clock of ``tz`` reads ``day`` ``hour``:00 or later.

    Usually just that wall time (its first occurrence when the clocks go back). When
    the clocks jump over it (spring forward: Oslo has no 02:00–02:59 on its switch
    day), it is the moment of the jump — 03:00 local — so the next existing hour
    stands in for the missing one.
    """
    wall = datetime.datetime.combine(day, datetime.time(hour))
    first = wall.replace(tzinfo=tz, fold=0).astimezone(_UTC)
    if _wall(first, tz) == wall:
        return first
    # In a gap, fold=1 maps to an instant before the jump and fold=0 to one after it:
    # search the whole seconds in between for the first whose wall clock reached ``wall``.
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(datetime.datetime.fromtimestamp(middle, _UTC), tz) >= wall:
            high = middle
        else:
            low = middle
    return datetime.datetime.fromtimestamp(high, _UTC)


def reminder_hours(tz: zoneinfo.ZoneInfo, at: datetime.datetime) -> tuple[datetime.date, set[int]]:
    """The local date at ``at`` and the check-in hours (0–23) that send at that moment.

    An hour sends when the local clock shows it (a repeated hour on fall-back shows it
    twice; the delivery record keeps that to one e-mail), and during the first hour
    after the wall clock reached it — which is how a skipped hour (spring forward)
    is sent at the next existing one.
    """
    at = _aware(at)
    local = at.astimezone(tz)
    day = local.date()
    hours = {local.hour}
    for hour in range(24):
        start = first_instant_at(tz, day, hour)
        if start <= at < start + _HOUR:
            hours.add(hour)
    return day, hours


def is_reminder_hour(organization: Organization, at: datetime.datetime) -> bool:
    """Is ``at`` the organization's check-in weekday and hour, in its own time zone?"""
    day, hours = reminder_hours(organization.tzinfo, at)
    return day.weekday() == organization.checkin_weekday and organization.checkin_hour in hours


def organizations_due_at(at: datetime.datetime | None = None) -> list[Organization]:
    """The organizations whose check-in weekday and hour it is at ``at``, in their time zone.

    Two queries whatever the number of organizations: the time zones in use, then the
    organizations matching (time zone, local weekday, hours that send now).
    """
    at = _aware(at)
    conditions = []
    zone_names = Organization.objects.order_by().values_list("timezone", flat=True).distinct()
    for name in zone_names:
        try:
            tz = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown organization time zone", extra={"timezone": name})
            continue
        day, hours = reminder_hours(tz, at)
        conditions.append(
            Q(timezone=name, checkin_weekday=day.weekday(), checkin_hour__in=sorted(hours))
        )
    if not conditions:
        return []
    return list(
        Organization.objects.filter(functools.reduce(operator.or_, conditions)).order_by("pk")
    )
