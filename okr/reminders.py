"""Check-in reminders (docs/reminders.md): who is due, when, and the e-mail that tells them.

The hourly beat task (``okr.tasks.send_checkin_reminders``) asks which
organizations have their check-in hour now (``organizations_due_at``), then sends
each one's members in batches (``recipient_batches`` → ``send_batch``).
``manage.py send_checkin_reminders`` runs the same functions synchronously
(``send_reminders``).

Exactly-once: before a member's e-mail goes out, ``send_batch`` claims a
``ReminderDelivery`` row for (membership, local date) — the unique constraint lets
only one run win it. The run sends the rows it won and marks them sent; a send
that fails is marked ``failed`` and retried with backoff by
``okr.tasks.send_reminder_email``. A row is never sent twice: it is only ever
sent by the run that holds its claim. See ``docs/reminders.md``.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import operator
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import Membership, Organization, User
from okr.models import (
    CycleStatus,
    KeyResult,
    Metric,
    ProgressSource,
    ReminderDelivery,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = settings.REMINDER_BATCH_SIZE
# Attempts per delivery (the first send included) before we give up on it.
MAX_ATTEMPTS = 6
UNSUBSCRIBE_SALT = "okr.reminders.unsubscribe"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_HOUR = datetime.timedelta(hours=1)
_UTC = datetime.UTC


class ReminderSendFailed(Exception):
    """The mail backend refused a reminder; the delivery is recorded as failed."""


# --- When: the check-in hour in the organization's time zone ---------------------------------


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


# --- Who: the due key results and their owners ------------------------------------------------


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


# --- Sending, exactly once -------------------------------------------------------------------


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
    at: datetime.datetime | None = None, *, batch_size: int | None = None
) -> ReminderReport:
    """Send every reminder due at ``at`` (default: now), synchronously, and report.

    Safe to run twice or concurrently: each member gets at most one e-mail per local
    date (see ``send_batch``).
    """
    at = _aware(at)
    report = ReminderReport()
    for organization in organizations_due_at(at):
        report.organizations += 1
        report.already_sent += ReminderDelivery.objects.filter(
            organization=organization,
            local_date=organization.local_date(at),
            status=ReminderDelivery.Status.SENT,
        ).count()
        for membership_ids in recipient_batches(organization, batch_size):
            report.add(send_batch(organization, at, membership_ids))
    return report


def send_batch(
    organization: Organization, at: datetime.datetime, membership_ids: Sequence[int]
) -> ReminderReport:
    """Claim, send and record the reminders of these members; a constant number of queries.

    1. load the members still eligible, 2. their due key results, 3. insert the
    claims (the unique constraint drops those another run already holds), 4. take
    over this date's failed rows, 5. read back the rows this run holds, then send
    them and 6. mark them sent in one update. Failures cost one update each.
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
        .select_related("objective")
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
        transaction.on_commit(functools.partial(_enqueue_retry, delivery_id))
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


def _enqueue_retry(delivery_id: int) -> None:
    from okr.tasks import send_reminder_email

    try:
        send_reminder_email.apply_async((delivery_id,), countdown=60)
    except Exception:  # broker down, or an eager retry that failed again: the row stays failed
        logger.exception("could not retry a check-in reminder", extra={"delivery": delivery_id})


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
        .select_related("objective")
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


# --- The e-mail ------------------------------------------------------------------------------


def unsubscribe_token(user: User) -> str:
    """A signed token that turns the user's reminders off without logging in."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe_token(token: str) -> User | None:
    """The user a token was made for; ``None`` when it was tampered with or is unknown."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()


def unsubscribe_url(user: User) -> str:
    """The absolute one-click unsubscribe link for the e-mail's footer and headers."""
    return settings.SITE_URL + reverse("reminders:unsubscribe", args=[unsubscribe_token(user)])


def check_in_url(organization: Organization, key_result: KeyResult) -> str:
    """The key result on its objective's page, where the check-in form lives."""
    return (
        f"{settings.SITE_URL}/o/{organization.slug}/objectives/"
        f"{key_result.objective_id}/#kr-{key_result.pk}"
    )


def format_value(value: Decimal, key_result: KeyResult) -> str:
    """A figure as people write it: ``1,250 users``, ``40%``, ``€300``, ``done``."""
    if key_result.metric == Metric.MILESTONE:
        return "done" if value >= 1 else "not done"
    number = format(Decimal(value).normalize(), ",f")
    unit = key_result.unit.strip()
    if key_result.metric == Metric.PERCENT or unit == "%":
        return f"{number}%"
    if not unit:
        return number
    if key_result.metric == Metric.CURRENCY and len(unit) == 1:
        return f"{unit}{number}"
    return f"{number} {unit}"


def _format_progress(progress: float) -> str:
    return f"{round(progress, 2):g}%"


def _days_ago(key_result: KeyResult, organization: Organization, local_date) -> str:
    last = key_result.last_check_in_at
    if last is None:
        return "no check-in yet"
    days = (local_date - organization.local_date(last)).days
    return "last check-in yesterday" if days == 1 else f"last check-in {days} days ago"


def build_reminder_email(
    membership: Membership,
    key_results: Sequence[KeyResult],
    *,
    local_date: datetime.date,
    connection=None,
) -> EmailMultiAlternatives:
    """The reminder e-mail: text and HTML parts, a "Check in" link each, one-click unsubscribe.

    ``key_results`` are the member's own (with ``objective`` loaded): nobody else's
    private objectives can appear.
    """
    organization = membership.organization
    user = membership.user
    items = [
        {
            "title": key_result.title,
            "objective": key_result.objective.title,
            "current": format_value(key_result.current_value, key_result),
            "target": format_value(key_result.target_value, key_result),
            "progress": _format_progress(key_result.progress),
            "last_check_in": _days_ago(key_result, organization, local_date),
            "url": check_in_url(organization, key_result),
        }
        for key_result in key_results
    ]
    unsubscribe = unsubscribe_url(user)
    cadence = organization.checkin_cadence_days
    context = {
        "name": (user.name.split() or [user.display_name])[0],
        "email": user.email,
        "organization": organization,
        "items": items,
        "count": len(items),
        "dashboard_url": f"{settings.SITE_URL}/o/{organization.slug}/",
        "unsubscribe_url": unsubscribe,
        "cadence": {1: "a day", 7: "a week"}.get(cadence, f"{cadence} days"),
        "weekday": WEEKDAYS[organization.checkin_weekday],
        "hour": f"{organization.checkin_hour:02d}:00",
        "local_date": local_date,
    }
    if len(items) == 1:
        subject = (
            f"{organization.name}: time to check in on “{Truncator(items[0]['title']).chars(60)}”"
        )
    else:
        subject = f"{organization.name}: time to check in on {len(items)} key results"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/checkin_reminder.txt", context),
        to=[user.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no out-of-office replies to a robot.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("emails/checkin_reminder.html", context), "text/html"
    )
    return message
