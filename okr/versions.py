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
import threading
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def _key(organization_id: int) -> str:
    return f"okr:organization-version:{organization_id}"


def organization_version(organization_id: int) -> int | None:
    """The organization's current version; None when the cache cannot answer."""
    written_here = _written_in_this_transaction()
    if organization_id in written_here:  # this transaction wrote since: move it first
        written_here.discard(organization_id)
        organization_version_bump(organization_id)
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
    """Move the version when the current transaction commits, and before it reads it again.

    The move after the commit is the one that counts (see above). Should the
    transaction itself read the version after this write (a page rendered after
    the write, in the same request or test), it is moved first, so that those
    reads miss what was kept before the write; a concurrent reader that pairs the
    old data with that move is overtaken by the one after the commit. A write that
    nothing reads after (an API write) costs one move, not two. A rolled-back
    write leaves at most one needless move behind.
    """
    if transaction.get_connection().in_atomic_block:
        _written_in_this_transaction().add(organization_id)
    transaction.on_commit(lambda: _committed(organization_id), robust=True)


def _committed(organization_id: int) -> None:
    _written_in_this_transaction().discard(organization_id)
    organization_version_bump(organization_id)


# Per thread, as Django's connections are: the organizations written in the current
# transaction whose version has not moved since.
_local = threading.local()


def _written_in_this_transaction() -> set[int]:
    if not hasattr(_local, "organizations"):
        _local.organizations = set()
    return _local.organizations
