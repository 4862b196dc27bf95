"""The platform's cache: Redis that degrades to no cache while it is down, and a stampede-safe read.

RedisCacheOrNothing: when Redis does not answer, the cache behaves as Django's DummyCache (every
read a miss, every write accepted and forgotten) instead of raising, so a cache outage makes pages
slower, never errors (docs/decisions/0013). Rate limits kept in the cache then count from zero:
they let requests through until Redis is back. After a failure the backend leaves Redis alone for
RETRY_AFTER_SECONDS, so a down server costs one failed connection per process and thread now and
then, not one per cache call.

cache_get_or_build: Django's cache has no protection against a stampede: when a popular entry
expires, every request rebuilds it at once and hits the database together. Here an entry carries
its own freshness; the first request to find it stale takes a short lock (cache.add is atomic on
Redis) and rebuilds, while the others keep serving the stale value. Only when there is no value at
all do the others wait briefly for the builder before building themselves.
"""

import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client to Redis, keeping one redis.Redis per connection pool.

    Django makes a new redis.Redis for every cache call, which copies its table of reply handlers:
    about 56 µs, two thirds of a small GET on a 2-core machine. A redis.Redis may be shared by
    threads (it takes a connection from its pool for each command), so one per pool is enough.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCacheOrNothing(RedisCache):
    """Django's Redis cache, acting as the DummyCache while Redis is unreachable."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._skip_until = 0.0
        self._down_since: float | None = None

    def _call(self, method: Callable, *args, fallback=None, **kwargs):
        if time.monotonic() < self._skip_until:
            return fallback
        try:
            result = method(*args, **kwargs)
        except UNREACHABLE as error:
            self._mark_down(error)
            return fallback
        if self._down_since is not None:
            logger.warning("Cache reachable again after %.0f s.", time.monotonic() - self._down_since)
            self._down_since = None
        return result

    def _mark_down(self, error: Exception) -> None:
        self._skip_until = time.monotonic() + RETRY_AFTER_SECONDS
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.error(
                "Cache unreachable (%s): pages are built without it and rate limits are not "
                "enforced until it answers again.",
                error,
            )

    # A write that cannot reach Redis behaves as a stored entry evicted at once, which a cache
    # may always do: add() says True like DummyCache, so a lock "taken" lets the caller proceed.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call(super().add, key, value, timeout, version, fallback=True)

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._call(super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None) -> bool:
        return self._call(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None) -> dict:
        return self._call(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None) -> bool:
        return self._call(super().has_key, key, version, fallback=False)

    def incr(self, key, delta=1, version=None) -> int:
        value = self._call(super().incr, key, delta, version)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._call(super().set_many, data, timeout, version, fallback=[])

    def delete_many(self, keys, version=None) -> None:
        self._call(super().delete_many, keys, version)

    def clear(self) -> bool:
        return self._call(super().clear, fallback=False)


LOCK_SECONDS = 10
WAIT_STEPS = 20
WAIT_STEP_SECONDS = 0.05


def cache_get_or_build(key: str, build: Callable[[], str], *, fresh_seconds: int) -> str:
    """Return the cached value for key, rebuilding it with build() when stale."""
    entry = cache.get(key)
    if entry is not None and entry[1] > time.time():
        return entry[0]
    if cache.add(f"{key}:lock", 1, LOCK_SECONDS):
        try:
            value = build()
            # Kept well past its freshness so a stale copy can be served during the next rebuild.
            cache.set(key, (value, time.time() + fresh_seconds), fresh_seconds * 10)
            return value
        finally:
            cache.delete(f"{key}:lock")
    if entry is not None:
        return entry[0]
    for _ in range(WAIT_STEPS):
        time.sleep(WAIT_STEP_SECONDS)
        entry = cache.get(key)
        if entry is not None:
            return entry[0]
    return build()
