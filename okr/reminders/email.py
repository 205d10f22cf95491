"""The reminder e-mail and its one-click unsubscribe link."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from accounts.emails import header_safe
from accounts.models import Membership, Organization, User
from okr import pace
from okr.formatting import format_percent, format_value
from okr.models import KeyResult

UNSUBSCRIBE_SALT = "okr.reminders.unsubscribe"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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


def _pace(key_result: KeyResult, local_date: datetime.date) -> dict[str, str]:
    """Where the key result stands against a steady pace, in words (``okr.pace``'s rules)."""
    cycle = key_result.objective.cycle
    status = pace.status_for(key_result.progress, cycle, local_date)
    return {
        "status": pace.Status(status).label,
        "expected": format_percent(pace.expected_progress(cycle, local_date)),
    }


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
            "progress": format_percent(key_result.progress),
            "last_check_in": _days_ago(key_result, organization, local_date),
            **_pace(key_result, local_date),
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
        # Titles may hold a line break; a header may not (docs/security.md).
        subject=header_safe(subject, limit=200),
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
