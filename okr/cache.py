"""The cache behind the throttles: Redis, failing open while Redis is down.

Only the rate limits use the cache (accounts/throttling.py). When Redis cannot be
reached they must not turn every sign-up and log-in into a 500: a read answers
"nothing counted yet" and a write is dropped, each with an error in the log, so
the limits are off until Redis is back (docs/operations.md).
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

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
