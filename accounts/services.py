"""Writes to a user's own account: the profile and API tokens.

Organizations, members, teams and invitations are the domain's (``okr/services/``):
this app imports nothing from ``okr``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import (
    ApiToken,
    User,
)

# --- The signed-in user's own account ----------------------------------------------------


@transaction.atomic
def user_update(*, user: User, **changes: Any) -> User:
    """Edit one's own name and notification preference (the profile page, ``PATCH /me/``)."""
    allowed = ("name", "checkin_reminders")
    changes = {field: value for field, value in changes.items() if field in allowed}
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    for field, value in changes.items():
        setattr(user, field, value)
    user.clean_fields(exclude=["password", "email", "last_login", "date_joined"])
    if changes:
        user.save(update_fields=list(changes))
    return user


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own API tokens; another user's token is unknown (404 upstream)."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApiToken.DoesNotExist
