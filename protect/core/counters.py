"""Hit counters in the shared cache (Redis in production), so every web process counts together:
the public forms' budget, the global login brake and the partner API's throttle. The caller names
the window in its key (a minute number, say); the key expires after the window."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache


def count_hit(key: str, *, expires: int) -> int:
    """Count one hit on `key`; the count so far, this hit included.

    On Redis, one round trip (INCR, then EXPIRE only if the key has none): the partner API counts
    every request. Elsewhere (the demo's file cache), add then increment."""
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        client: Any = cache._cache.get_client(full_key, write=True)
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
