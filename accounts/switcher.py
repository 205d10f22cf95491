"""The top bar's list of the user's organizations, kept in the cache between pages.

Every page shows it, and reading it crosses tenants: three statements (lift the
tenant setting, read, put it back) on each request for a list that changes only
when one of the user's memberships or organizations does. So it is kept per
user for a minute, and the services that create or change a membership or
rename an organization forget the lists it appears in (``forget``,
``forget_organization``). What bypasses them (the support admin, the demo
seeder) shows within the minute. When the cache is down it is read every time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from accounts.models import Membership
from accounts.rls import all_tenants
from accounts.tenancy import active_memberships

KEPT_SECONDS = 60


@dataclass(frozen=True)
class Entry:
    organization_id: int
    slug: str
    name: str
    role_label: str


def _key(user_id: int) -> str:
    return f"accounts:switcher:{user_id}"


def organizations_of(user) -> list[Entry]:
    """The user's active memberships, by organization name, for the switcher.

    Its own read-through, like ``okr.cache.remembered``: accounts import nothing
    from the OKR side (tests/test_layout.py).
    """
    try:
        entries = cache.get(_key(user.pk))
    except Exception:  # the cache only saves the read
        entries = None
    if entries is None:
        with all_tenants():  # the user's list of organizations crosses tenants
            entries = [
                Entry(
                    m.organization_id,
                    m.organization.slug,
                    m.organization.name,
                    m.get_role_display(),
                )
                for m in active_memberships(user)
            ]
        with contextlib.suppress(Exception):
            cache.set(_key(user.pk), entries, KEPT_SECONDS)
    return entries


def forget(user_ids) -> None:
    """Drop these users' kept lists now, and again once the current transaction commits.

    Now, so that this transaction's own pages see the change; again after the
    commit, since a page read meanwhile may have kept the old rows.
    """
    keys = [_key(pk) for pk in set(user_ids)]
    if keys:
        _delete(keys)
        transaction.on_commit(lambda: _delete(keys), robust=True)


def _delete(keys: list[str]) -> None:
    with contextlib.suppress(Exception):
        cache.delete_many(keys)


def forget_organization(organization_id: int) -> None:
    """Drop the kept lists of everyone in the organization (it was renamed)."""
    forget(
        Membership.objects.filter(organization_id=organization_id).values_list("user_id", flat=True)
    )
