"""Rate limits per API key (or per signed-in account), counted in Redis through the cache.

A fixed window of settings.API_RATE_LIMIT: the first request of a window creates its counter with
the window's lifetime (cache.add), each request increments it (INCR, atomic in Redis). While the
cache is unreachable every count reads as nothing and requests are let through (docs/decisions/0013).
What was counted rides on the request, and api.views.base writes it into the RateLimit headers.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from api.pure.rates import rate_parse


def clock() -> float:
    """Seconds since the epoch (the tests freeze it to stay within one window)."""
    return time.time()


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_seconds: int


def requester_ident(request: Request) -> str | None:
    """The key's id, or the account's, or None for a request with neither (not limited here)."""
    if request.auth is not None and hasattr(request.auth, "id"):
        return f"key:{request.auth.id}"
    user = request.user
    if user is not None and user.is_authenticated and user.pk is not None:
        return f"user:{user.pk}"
    return None


class RequesterRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view) -> bool:
        ident = requester_ident(request)
        if ident is None:
            return True
        rate = rate_parse(settings.API_RATE_LIMIT)
        now = clock()
        window = int(now // rate.window_seconds)
        reset = max(1, math.ceil((window + 1) * rate.window_seconds - now))
        counter = f"api:rate:{ident}:{window}"
        cache.add(counter, 0, timeout=rate.window_seconds + 1)
        try:
            used = cache.incr(counter)
        except ValueError:
            # The counter vanished between add and incr (evicted, or the cache is down): count from one.
            used = 1
        used = used or 1
        request.rate_limit = RateLimitState(limit=rate.limit, remaining=max(0, rate.limit - used), reset_seconds=reset)
        self.reset_seconds = reset
        return used <= rate.limit

    def wait(self) -> float:
        return self.reset_seconds
