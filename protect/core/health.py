"""Checks behind /healthz: database, broker, worker. Answers say up/down and nothing else:
no versions, host names or error texts, which would help an attacker map the deployment.

The worker check waits up to WORKER_TIMEOUT_SECONDS for a ping. So that probes, load balancers
or a flood of callers cannot tie up every web worker while the Celery worker is slow, the answer
is kept in the shared cache for PROTECT_HEALTH_CACHE_SECONDS and only one caller at a time, across
every web process, runs the checks (a lock added atomically in the cache); the others answer at once
from the last result."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from protect.celery import app
from protect.core.tasks import ping

logger = logging.getLogger(__name__)

WORKER_TIMEOUT_SECONDS = 3.0


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health: database check failed", exc_info=True)
        return False


def broker_is_up() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("health: broker check failed", exc_info=True)
        return False


def worker_is_up() -> bool:
    """Send protect.ping and wait for the answer; it expires so a dead worker finds no backlog."""
    try:
        result = ping.apply_async(expires=WORKER_TIMEOUT_SECONDS, retry=False)
        answer = result.get(timeout=WORKER_TIMEOUT_SECONDS, disable_sync_subtasks=False)
        result.forget()
        return bool(answer == "pong")
    except Exception:  # noqa: BLE001
        logger.warning("health: worker did not answer ping in %ss", WORKER_TIMEOUT_SECONDS)
        return False


def check_all() -> dict[str, bool]:
    database = database_is_up()
    broker = broker_is_up()
    worker = broker and worker_is_up()
    return {"database": database, "broker": broker, "worker": worker}


RESULT_KEY = "protect:health:result"
LOCK_KEY = "protect:health:lock"
# A last answer older than this is not given to anybody: it no longer says anything.
STALE_SECONDS = 60


def check_all_cached() -> dict[str, bool] | None:
    """The last checks if fresh; else run them, unless another caller already is: then the last
    answer while it is not stale, or None (nothing known yet: "checking")."""
    last = cache.get(RESULT_KEY)
    if last is not None and time.time() - last["at"] < settings.PROTECT_HEALTH_CACHE_SECONDS:
        return dict(last["checks"])
    # The lock outlives the slowest check, so a process killed mid-check cannot hold it for long.
    if not cache.add(LOCK_KEY, "1", timeout=int(WORKER_TIMEOUT_SECONDS) + 5):
        return dict(last["checks"]) if last is not None else None
    try:
        checks = check_all()
        cache.set(RESULT_KEY, {"checks": checks, "at": time.time()}, timeout=STALE_SECONDS)
        return checks
    finally:
        cache.delete(LOCK_KEY)
