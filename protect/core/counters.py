"""Hit counters in the shared cache (Redis in production), so every web process counts together:
the public forms' budget, the global login brake and the partner API's throttle. The caller names
the window in its key (a minute number, say); the key expires after the window."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

_clients: dict[int, Any] = {}  # by id() of the pool, which its client keeps alive


def _redis_client(cache: RedisCache, full_key: str) -> Any:
    """One client per connection pool, kept: Django's cache builds a new redis.Redis for every
    call, and building one (its table of reply parsers) cost more than the round trip itself. A
    client is safe to share between threads; the pool hands each command its own connection."""
    pool = cache._cache._get_connection_pool(write=True)  # type: ignore[attr-defined]
    client = _clients.get(id(pool))
    if client is None:
        client = _clients[id(pool)] = cache._cache.get_client(full_key, write=True)
    return client


def count_hit(key: str, *, expires: int) -> int:
    """Count one hit on `key`; the count so far, this hit included.

    On Redis, one round trip (INCR, then EXPIRE only if the key has none): the partner API counts
    every request. Elsewhere (the demo's file cache), add then increment. The backend itself is
    asked for, not `django.core.cache.cache`: that is a proxy, never an instance of RedisCache."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        client = _redis_client(cache, full_key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, expires, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, timeout=expires)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=expires)
        return 1
