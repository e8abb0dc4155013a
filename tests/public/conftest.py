"""The kit's tests share the cache with the rest of the suite: each one gets a minute of its own."""

from __future__ import annotations

import secrets

import pytest

from protect.public import ratelimit


@pytest.fixture
def own_minute(monkeypatch) -> int:
    """Pin the rate limit's clock to a minute no other test counts in."""
    minute = 10**9 + secrets.randbelow(10**6)
    monkeypatch.setattr(ratelimit, "_clock", lambda: minute * 60.0)
    return minute
