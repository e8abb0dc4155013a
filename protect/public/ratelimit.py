"""A global per-minute budget for the public forms, without IP addresses, in the shared cache
(Redis in production) so every web process sees the same count.

The limit is global on purpose: we keep no IP address (Tor users share exit nodes anyway), so
there is no "per client" to count. It bounds how fast anyone can fill the queue or burn CPU on
password hashes; set it well above the real rate of requests. Because it is global, only what a
person could have sent may count: protect.public.form_token.form_token_spend is the one caller
in the pages, so a POST without a valid, unused form token never uses up the minute.
"""

from __future__ import annotations

import time

from protect.core.counters import count_hit

_PREFIX = "protect.public.rate"
_clock = time.time  # the minute a hit counts in (tests pin it)


def rate_key(*, bucket: str, now: float | None = None) -> str:
    """The cache key counting `bucket` in the current minute."""
    minute = int((_clock() if now is None else now) // 60)
    return f"{_PREFIX}.{bucket}.{minute}"


def rate_limit_exceeded(*, bucket: str, per_minute: int) -> bool:
    """Count one hit on `bucket` in this minute; True once there were more than `per_minute`."""
    return count_hit(rate_key(bucket=bucket), expires=120) > per_minute
