"""The shared hit counters behind the partner API's throttle, the public forms' budget and the
login brake."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from protect.core.counters import count_hit


def test_count_hit_counts_each_hit_and_sets_the_window():
    key = f"test.counter.{uuid.uuid4().hex}"
    assert [count_hit(key, expires=60) for _ in range(3)] == [1, 2, 3]


def test_count_hit_on_redis_is_one_round_trip_with_an_expiry(monkeypatch):
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        pytest.skip("the shared cache is Redis only when REDIS_URL is set")
    key = f"test.counter.{uuid.uuid4().hex}"
    client = backend._cache.get_client(backend.make_and_validate_key(key), write=True)
    commands: list[object] = []
    pipelines: list[object] = []
    execute, pipeline = type(client).execute_command, type(client).pipeline
    monkeypatch.setattr(type(client), "execute_command",
                        lambda self, *args, **kw: commands.append(args[0]) or execute(self, *args, **kw))
    monkeypatch.setattr(type(client), "pipeline",
                        lambda self, *args, **kw: pipelines.append(args) or pipeline(self, *args, **kw))
    assert count_hit(key, expires=60) == 1
    assert count_hit(key, expires=60) == 2
    monkeypatch.undo()
    assert commands == [] and len(pipelines) == 2  # one pipeline each (INCR, EXPIRE NX), nothing else
    assert 0 < client.ttl(backend.make_and_validate_key(key)) <= 60
