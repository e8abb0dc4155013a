"""The shared cast and the real-worker fixture for the whole suite."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _database_url_for_test_db() -> str:
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the real-worker tests need PostgreSQL (run them through bin/test)")
    host = s["HOST"] or "127.0.0.1"
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """DATABASE_URL of the test database, for processes the tests start."""
    with django_db_blocker.unblock():
        return _database_url_for_test_db()


@pytest.fixture(scope="session")
def celery_worker_process(test_database_url) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker in its own process, on Redis, using the test database.

    Tests that rely on it must commit their data (transactional_db), as the worker has its own
    connection."""
    from django.conf import settings

    if not os.environ.get("REDIS_URL"):
        pytest.skip("the real-worker tests need REDIS_URL (run them through bin/test)")
    env = os.environ | {"DATABASE_URL": test_database_url, "PROTECT_TASK_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE}
    log = open(ROOT / "var" / "test-worker.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "protect", "worker", "--loglevel", "INFO", "--concurrency", "2",
         "--hostname", f"test-{os.getpid()}@%h", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    from protect.core.tasks import ping

    deadline = time.monotonic() + 60
    while True:
        try:
            if ping.apply_async(expires=5).get(timeout=5) == "pong":
                break
        except Exception:
            pass
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            log.close()
            raise RuntimeError("the Celery worker did not start; see var/test-worker.log")
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()
