"""Spam resistance for the public pages, without IP addresses: a global per-minute counter and the
store of form tokens already used. Both live in the shared cache (Redis in production), so every
web process sees the same counts.

The limit is global on purpose: we keep no IP address (Tor users share exit nodes anyway), so
there is no "per client" to count. It bounds how fast anyone can fill the queue or burn CPU on
password hashes; set it well above the real rate of requests.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

_PREFIX = "grants.public"
_clock = time.time  # the minute a hit counts in (tests pin it)


def requests_per_minute() -> int:
    return int(getattr(settings, "PROTECT_PUBLIC_REQUESTS_PER_MINUTE", 30))


def status_logins_per_minute() -> int:
    return int(getattr(settings, "PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE", 60))


def rate_key(bucket: str, *, now: float | None = None) -> str:
    """The cache key counting `bucket` in the current minute."""
    minute = int((_clock() if now is None else now) // 60)
    return f"{_PREFIX}.rate.{bucket}.{minute}"


def rate_limit_exceeded(bucket: str, per_minute: int) -> bool:
    """Count one hit on `bucket` in this minute; True once there were more than `per_minute`."""
    key = rate_key(bucket)
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=120)
        count = 1
    return count > per_minute


def _token_key(nonce: str) -> str:
    return f"{_PREFIX}.form-token.{nonce}"


def form_token_used(nonce: str) -> bool:
    return cache.get(_token_key(nonce)) is not None


def form_token_consume(nonce: str, *, ttl_seconds: int) -> bool:
    """Mark the token used; False if it already was (a double click, a replayed POST).

    `cache.add` is atomic in Redis: of two concurrent submissions of one form, one wins."""
    return bool(cache.add(_token_key(nonce), 1, timeout=ttl_seconds))


def form_token_release(nonce: str) -> None:
    """Give a token back when the submission it carried was refused, so the person can fix and resend."""
    cache.delete(_token_key(nonce))
