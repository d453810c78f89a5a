"""A Redis cache that gives up quickly when Redis is down or stalled.

Every call already has a socket timeout (settings: REDIS_TIMEOUT_SECONDS); after
a failure the circuit opens and, for REDIS_RETRY_SECONDS, calls fail at once
instead of each waiting out the timeout. Callers treat a failure as a miss.
"""

from functools import cached_property

import pybreaker
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache


class CacheUnavailable(Exception):
    """Raised instead of waiting on a cache that just failed."""


def breaker() -> pybreaker.CircuitBreaker:
    return pybreaker.CircuitBreaker(
        fail_max=1,
        reset_timeout=settings.REDIS_RETRY_SECONDS,
        throw_new_error_on_trip=False,
    )


class _GuardedClient:
    """Calls the wrapped Redis cache client through a circuit breaker."""

    def __init__(self, client, circuit: pybreaker.CircuitBreaker):
        self._client = client
        self._circuit = circuit

    def __getattr__(self, name):
        method = getattr(self._client, name)
        if not callable(method):
            return method

        def guarded(*args, **kwargs):
            try:
                return self._circuit.call(method, *args, **kwargs)
            except (pybreaker.CircuitBreakerError, redis.RedisError) as error:
                raise CacheUnavailable(f"cache unavailable ({name})") from error

        return guarded


class ResilientRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        return _GuardedClient(super()._cache, breaker())
