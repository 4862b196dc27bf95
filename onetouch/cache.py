"""A cache read that rebuilds an expired value in one process at a time.

Django's cache has no protection against a stampede: when a popular entry expires, every request
rebuilds it at once and hits the database together. Here an entry carries its own freshness; the
first request to find it stale takes a short lock (cache.add is atomic on Redis) and rebuilds,
while the others keep serving the stale value. Only when there is no value at all do the others
wait briefly for the builder before building themselves.
"""

import time
from collections.abc import Callable

from django.core.cache import cache

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
