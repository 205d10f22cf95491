"""The cache: Redis, failing open while Redis is down; and ``remembered``, its one read-through.

The rate limits (accounts/throttling.py), the sessions, the organizations'
versions and what pages and the API keep between two writes all live here. When
Redis cannot be reached none of them may turn a request into a 500: a read
answers "nothing there" and a write is dropped, each with an error in the log,
so the limits are off and everything is computed until Redis is back
(docs/operations.md).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

T = TypeVar("T")

# How long a kept value may live: what it may lag behind the clock (statuses, "today")
# and behind what bypasses the services (the support admin, the demo seeder).
KEPT_SECONDS = 60


def remembered(
    key: str,
    compute: Callable[[], T],
    seconds: int = KEPT_SECONDS,
    *,
    encode: Callable[[T], object] | None = None,
    decode: Callable[[object], T] | None = None,
) -> T:
    """``compute()``, kept under ``key`` for ``seconds``; computed every time the cache fails.

    ``encode`` and ``decode`` change what is stored (the API tree keeps its answer
    compressed); the value computed is answered as it is.
    """
    try:
        stored = cache.get(key)
    except Exception:  # a cache outage costs the computation, never the answer
        stored = None
    if stored is not None:
        return decode(stored) if decode else stored
    value = compute()
    with contextlib.suppress(Exception):
        cache.set(key, encode(value) if encode else value, seconds)
    return value


logger = logging.getLogger(__name__)


def _log(operation: str) -> None:
    logger.error("cache unavailable: %s skipped, throttles are open", operation, exc_info=True)


# INCR only an existing key (Django's incr is EXISTS, then INCRBY: two round trips).
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class ReusedClient(RedisCacheClient):
    """Django's Redis client, with one ``redis.Redis`` per connection pool instead of per call.

    Django builds a new client for every cache operation, and each build fills
    its table of ~170 response callbacks: ~0.1 ms of CPU per ``get``, four times
    on every page (the session, the organization's version, a kept fragment,
    the switcher). The pool, and so the connections, were already shared; a
    client is safe to share across threads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta=1):
        """One round trip: a check-in moves its organization's version (okr/versions.py)."""
        client = self.get_client(key, write=True)
        if id(client) not in self._incr_scripts:
            self._incr_scripts[id(client)] = client.register_script(_INCR_EXISTING)
        value = self._incr_scripts[id(client)](keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            _log("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError:
            _log("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError:
            _log("has_key")
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            _log("add")
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            _log("set")

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError:
            _log("set_many")
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError:
            _log("touch")
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError:
            _log("delete")
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except RedisError:
            _log("delete_many")
