"""Roll-ups of one organization, coalesced: many changed nodes, one job (docs/performance.md).

A check-in used to enqueue one roll-up job; at 60 check-ins a second the jobs
of one organization queued one by one behind its advisory lock, and the last
check-in waited for all the others. Now a write adds the nodes it changed to
the organization's *pending set* in Redis and enqueues a drain job only when
none is waiting already. The drain job takes the whole set and rolls it up in
one transaction (``progress.roll_up``), so the ancestors that the check-ins
share are recomputed once per batch.

Under load, the drains of one organization start at most every
``DRAIN_INTERVAL_MS``: a worker's drain marks its start, and the write that
schedules the next drain within that interval enqueues it for the end of the
interval (a Celery countdown), so that the writes meanwhile join its batch.
Each drain costs a job, a transaction, the lock and a few queries per level
whatever its batch, so at a hundred check-ins a second a batch of a few nodes
paid that per few check-ins. Idle, a drain still starts at once.

Nothing is lost between a write and a drain:

- a write adds its nodes first, then sets the "scheduled" flag (``SET NX``)
  and enqueues a drain job if it set it (one Lua script, one round trip);
- the drain job clears the flag, then takes the set (``DEL``, ``SMEMBERS`` and
  ``DEL`` in one ``MULTI``). A node added after that either sets the flag
  again and gets its own drain job, or made it into this batch.

The flag expires after a minute, should a drain job be lost with its worker;
a failed roll-up puts its nodes back. A worker killed mid-drain loses nothing
either: the job moves the nodes it takes into an in-flight set named by its
task id and deletes that set only once its transaction has committed; the
broker redelivers the unacknowledged job (``acks_late``) under the same id, and
the new worker takes the in-flight nodes again. The roll-up is idempotent and exact
whatever the batch (it recomputes each node from its children under the
organization's lock), and the nightly reconcile repairs anything a crash
dropped. With eager tasks (development, tests) or without Redis there is
nothing to coalesce: the roll-up runs at once, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)

SCHEDULED_SECONDS = 60
# The least time between the starts of two drains of one organization, under load: what a
# roll-up may wait at most before its drain starts (docs/progress.md). At 60 check-ins a
# second the ancestors still follow within a fraction of a second (docs/performance.md).
DRAIN_INTERVAL_MS = 100


def _pending_key(organization_id: int) -> str:
    return f"okr:roll-up:pending:{organization_id}"


def _scheduled_key(organization_id: int) -> str:
    return f"okr:roll-up:scheduled:{organization_id}"


def _started_key(organization_id: int) -> str:
    return f"okr:roll-up:started:{organization_id}"


def _in_flight_key(organization_id: int, job_id: str) -> str:
    return f"okr:roll-up:in-flight:{organization_id}:{job_id}"


IN_FLIGHT_SECONDS = 24 * 3600


_clients: dict[str, object] = {}


def _redis():
    """One client per process and URL: its pool keeps the connection between requests."""
    import redis

    if settings.REDIS_URL not in _clients:
        _clients[settings.REDIS_URL] = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2
        )
    return _clients[settings.REDIS_URL]


# A write's three steps in one round trip: add the nodes, set the flag (NX), and if it was
# set, answer how long until the interval since the last drain's start ends (PTTL: -2 when
# none is running; -3: the flag was set already, a drain is scheduled).
_SCHEDULE = """
for i = 2, #ARGV do
    redis.call('SADD', KEYS[1], ARGV[i])
end
if not redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[1]) then
    return -3
end
return redis.call('PTTL', KEYS[3])
"""
_scripts: dict[str, object] = {}


def _schedule_script():
    if settings.REDIS_URL not in _scripts:
        _scripts[settings.REDIS_URL] = _redis().register_script(_SCHEDULE)
    return _scripts[settings.REDIS_URL]


def _is_eager() -> bool:
    from okr.celery import app

    return bool(app.conf.task_always_eager) or not settings.REDIS_URL


def request_roll_up(
    organization_id: int, objective_ids: Iterable[int], key_result_ids: Iterable[int]
) -> None:
    """Roll these nodes up soon: add them to the pending set, enqueue a drain unless one waits."""
    from okr.tasks import drain_roll_ups, roll_up_progress

    objective_ids, key_result_ids = list(objective_ids), list(key_result_ids)
    if _is_eager():
        roll_up_progress.delay(organization_id, objective_ids, key_result_ids)
        return
    members = [f"o:{pk}" for pk in objective_ids] + [f"k:{pk}" for pk in key_result_ids]
    if not members:
        return
    keys = [
        _pending_key(organization_id),
        _scheduled_key(organization_id),
        _started_key(organization_id),
    ]
    wait_ms = _schedule_script()(keys=keys, args=[SCHEDULED_SECONDS, *members])
    if wait_ms == -3:  # scheduled already: the nodes join its batch
        return
    if wait_ms > 0:  # a drain started less than DRAIN_INTERVAL_MS ago: gather until then
        drain_roll_ups.apply_async((organization_id,), countdown=wait_ms / 1000)
    else:
        drain_roll_ups.delay(organization_id)


def take_pending(organization_id: int, job_id: str = "") -> tuple[list[int], list[int]]:
    """Clear the flag, then take every pending node: ``(objective_ids, key_result_ids)``.

    With a ``job_id`` (a worker's drain) the nodes also stay in that job's in-flight
    set (with any a killed run of the same job left there) until ``_land`` deletes it
    after commit, and the drain's start opens the interval before the next one.
    """
    pending = _pending_key(organization_id)
    with _redis().pipeline(transaction=True) as pipe:
        pipe.delete(_scheduled_key(organization_id))  # first: a later write schedules anew
        if job_id:
            in_flight = _in_flight_key(organization_id, job_id)
            pipe.sunionstore(in_flight, [in_flight, pending])
            pipe.delete(pending)
            pipe.smembers(in_flight)
            pipe.expire(in_flight, IN_FLIGHT_SECONDS)
            pipe.set(_started_key(organization_id), 1, px=DRAIN_INTERVAL_MS)
            _, _, _, members, _, _ = pipe.execute()
        else:
            pipe.smembers(pending)
            pipe.delete(pending)
            _, members, _ = pipe.execute()
    objective_ids, key_result_ids = [], []
    for member in members:
        kind, _, pk = member.decode().partition(":")
        (objective_ids if kind == "o" else key_result_ids).append(int(pk))
    return sorted(objective_ids), sorted(key_result_ids)


def drain(organization_id: int, job_id: str = "") -> dict:
    """Roll up every pending node of the organization in one transaction.

    ``job_id`` (the task's id) keeps the nodes in flight until the transaction
    commits, so a redelivery after a crash rolls them up (see the module docstring).
    """
    from django.db import transaction

    from okr import progress

    objective_ids, key_result_ids = take_pending(organization_id, job_id)
    land = (lambda: _redis().delete(_in_flight_key(organization_id, job_id))) if job_id else None
    if not objective_ids and not key_result_ids:
        if land:
            land()
        return {"nodes": 0, "objectives": 0, "key_results": 0}
    try:
        report = progress.roll_up(
            organization_id=organization_id,
            objective_ids=objective_ids,
            key_result_ids=key_result_ids,
        )
    except Exception:
        request_roll_up(organization_id, objective_ids, key_result_ids)  # nothing is dropped
        if land:
            land()
        raise
    if land:
        transaction.on_commit(land)
    return {
        "nodes": len(objective_ids) + len(key_result_ids),
        "objectives": report.objectives,
        "key_results": report.key_results,
    }
