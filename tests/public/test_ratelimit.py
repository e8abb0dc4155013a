"""The global per-minute budget on its own: counted per bucket and per minute, in the shared cache."""

from __future__ import annotations

from django.core.cache import cache

from protect.public import ratelimit
from protect.public.ratelimit import rate_key, rate_limit_exceeded


def test_the_budget_allows_per_minute_hits_then_refuses(own_minute):
    hits = [rate_limit_exceeded(bucket="tests-rate", per_minute=3) for _ in range(5)]

    assert hits == [False, False, False, True, True]
    assert cache.get(rate_key(bucket="tests-rate")) == 5


def test_buckets_are_counted_apart(own_minute):
    for _ in range(2):
        rate_limit_exceeded(bucket="tests-a", per_minute=1)

    assert rate_limit_exceeded(bucket="tests-b", per_minute=1) is False


def test_a_new_minute_starts_a_new_count(own_minute, monkeypatch):
    for _ in range(2):
        rate_limit_exceeded(bucket="tests-minute", per_minute=1)
    assert rate_limit_exceeded(bucket="tests-minute", per_minute=1) is True

    monkeypatch.setattr(ratelimit, "_clock", lambda: (own_minute + 1) * 60.0)

    assert rate_limit_exceeded(bucket="tests-minute", per_minute=1) is False


def test_the_key_names_the_bucket_and_the_minute_and_nothing_about_the_client():
    assert rate_key(bucket="request", now=120.5) == "protect.public.rate.request.2"
