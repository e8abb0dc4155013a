"""Checks behind /healthz: database, broker, worker. Answers say up/down and nothing else:
no versions, host names or error texts, which would help an attacker map the deployment."""

from __future__ import annotations

import logging

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
