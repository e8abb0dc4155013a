"""/healthz says which dependency is down and nothing more."""

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client, override_settings

from protect.core import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_worker_when_none_answers(client, monkeypatch, own_health_keys):
    monkeypatch.setattr(health, "WORKER_TIMEOUT_SECONDS", 0.5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "up", "broker": "up", "worker": "down"}


def test_broker_check_says_down_when_redis_is_unreachable(test_database_url):
    # A separate process: swapping the broker of this process would poison its connection pools.
    code = "import django; django.setup(); from protect.core import health; print(health.check_all())"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": test_database_url,
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "{'database': True, 'broker': False, 'worker': False}"


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    with override_settings():
        assert client.post("/healthz").status_code == 405


# --- many callers, one check ---------------------------------------------------------------------


class SlowPing:
    """The Celery round trip, stubbed: each ping is counted and its answer takes `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.sent = 0
        self.lock = threading.Lock()
        self.release = threading.Event()  # set: answer now, whatever `seconds` says

    def apply_async(self, **kwargs):
        with self.lock:
            self.sent += 1
        return self

    def get(self, **kwargs):
        self.release.wait(self.seconds)
        return "pong"

    def forget(self):
        pass


@pytest.fixture
def own_health_keys(monkeypatch):
    """Keys no other test run on the same Redis uses."""
    suffix = secrets.token_hex(4)
    monkeypatch.setattr(health, "RESULT_KEY", f"test:health:result:{suffix}")
    monkeypatch.setattr(health, "LOCK_KEY", f"test:health:lock:{suffix}")


def _parallel_healthz(count: int, *, while_pinging: SlowPing | None = None) -> list[tuple[int, dict, float]]:
    """`count` parallel calls. With `while_pinging`, the ping is held until every other caller has
    its answer: they cannot have waited for it, whatever the machine's speed."""
    barrier = threading.Barrier(count)
    results: list[tuple[int, dict, float]] = []

    def call():
        try:
            client = Client()
            barrier.wait()
            started = time.monotonic()
            response = client.get("/healthz")
            results.append((response.status_code, response.json(), time.monotonic() - started))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    if while_pinging is not None:
        deadline = time.monotonic() + 60
        while len(results) < count - 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        answered_while_pinging = len(results)
        while_pinging.release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == count
    if while_pinging is not None:
        assert answered_while_pinging == count - 1, "callers waited for the one ping in progress"
    return results


@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_calls_ping_the_worker_once_and_the_others_answer_at_once(monkeypatch, own_health_keys):
    ping = SlowPing(seconds=60.0)  # held until the fifteen others have answered (released by the helper)
    monkeypatch.setattr(health, "ping", ping)

    first = _parallel_healthz(16, while_pinging=ping)

    assert ping.sent == 1
    checked = [r for r in first if r[0] == 200]
    waiting = [r for r in first if r[0] != 200]
    assert len(checked) == 1 and checked[0][1]["worker"] == "up"
    assert len(waiting) == 15 and all(body == {"status": "checking"} and status == 503 for status, body, _ in waiting)

    # The answer is then shared: sixteen more callers get it at once, and nobody pings again.
    again = _parallel_healthz(16)
    assert ping.sent == 1
    assert all(status == 200 and body["worker"] == "up" for status, body, _seconds in again)


@pytest.mark.django_db
def test_a_stale_answer_is_checked_again(monkeypatch, own_health_keys, settings):
    ping = SlowPing(seconds=0)
    monkeypatch.setattr(health, "ping", ping)
    settings.PROTECT_HEALTH_CACHE_SECONDS = 1
    assert health.check_all_cached() == {"database": True, "broker": True, "worker": True}
    assert health.check_all_cached() is not None and ping.sent == 1
    time.sleep(1.1)
    health.check_all_cached()
    assert ping.sent == 2
