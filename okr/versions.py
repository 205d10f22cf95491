"""A version per organization, moved by every committed write and every roll-up.

The API tree answers it in its ``ETag`` (``docs/performance.md``): a client
that polls sends it back in ``If-None-Match`` and gets ``304`` until something
in the organization changed, at the price of one cache read.

The version lives in the cache (Redis in production), not in a table: moving
it is an ``INCR`` after the commit, never a row lock that concurrent check-ins
of one organization would queue on. It is moved *after* the commit and read
*before* the data, so a reader can only pair new data with an old version
(the next poll then gets the new one), never old data with the final version.
A missing key (a flushed or restarted Redis) starts again from the clock in
nanoseconds, larger than any version handed out before, so an old ETag never
matches by accident. When the cache is down, the tree is answered in full
without an ETag and a missed bump is logged.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def _key(organization_id: int) -> str:
    return f"okr:organization-version:{organization_id}"


def organization_version(organization_id: int) -> int | None:
    """The organization's current version; None when the cache cannot answer."""
    key = _key(organization_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, time.time_ns(), timeout=None)
            version = cache.get(key)
    except Exception:  # a cache outage costs the 304s, never the answer
        logger.warning("organization version unavailable", exc_info=True)
        return None
    return version


def organization_version_bump(organization_id: int) -> None:
    """Move the version now (call it once the change is committed)."""
    key = _key(organization_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no version yet: any fresh one is new to every client
            cache.add(key, time.time_ns(), timeout=None)
    except Exception:
        logger.warning(
            "organization version not moved",
            extra={"organization_id": organization_id},
            exc_info=True,
        )


def organization_changed(organization_id: int) -> None:
    """Move the version now, and again when the current transaction commits.

    The move after the commit is the one that counts (see above). The move now
    makes the transaction's own later reads (a page rendered after the write,
    in the same request or test) miss what was kept before it; a concurrent
    reader that pairs the old data with this version is overtaken by the
    second move.
    """
    if transaction.get_connection().in_atomic_block:
        organization_version_bump(organization_id)
    transaction.on_commit(lambda: organization_version_bump(organization_id), robust=True)
