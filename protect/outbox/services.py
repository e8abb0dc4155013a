"""Write to the outbox inside the caller's transaction; relay pending messages to Celery."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from protect.celery import app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

RELAY_BATCH = 200


def outbox_enqueue(*, task_name: str, kwargs: dict[str, Any]) -> OutboxMessage:
    """Record the task in the current transaction, and try to send it as soon as that commits.

    If the broker is down at commit time the row stays pending and the periodic relay sends it
    when the broker is back, so nothing accepted is lost."""
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    waiting: list[int] | None = getattr(connection, _WAITING, None)
    if waiting is None:
        waiting = []
        setattr(connection, _WAITING, waiting)
    waiting.append(message.pk)
    transaction.on_commit(_relay_waiting)
    return message


_WAITING = "_protect_outbox_waiting"  # on the connection: messages enqueued, not yet handed to a relay


def _relay_waiting() -> None:
    """Relay what this connection's committed work enqueued, in one batch: the first commit
    callback of a transaction sends every message it wrote, the others find none left. Ids of a
    rolled-back transaction may be among them: their rows do not exist, and nothing is sent."""
    waiting: list[int] | None = getattr(connection, _WAITING, None)
    setattr(connection, _WAITING, None)
    if waiting:
        outbox_relay(ids=waiting)


@cache
def _load_every_task() -> None:
    """Import every app's tasks, as a worker does at start: a message sent by name then takes its
    task's options, its priority first. Unknown to a web process, cases.route and the e-mails it
    queued went alike at Redis's top priority, and routing waited behind them."""
    app.autodiscover_tasks(force=True)  # not the loader's import_default_modules: that runs Django's checks
    app.finalize()


def outbox_relay(*, ids: list[int] | None = None) -> int:
    """Send pending messages (all, or the given ones), oldest first, in one transaction. Returns how
    many were sent. A message another relay holds is skipped; when the broker fails, the rest wait
    for the next relay, the failed one with its attempt counted."""
    pending = OutboxMessage.objects.filter(relayed_at=None)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent: list[int] = []
    _load_every_task()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Marking them relayed need not wait for the disk: lost in a database crash, a message is
            # relayed again, and every task is idempotent (a fan-out relays one per delivery).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for message in pending.select_for_update(skip_locked=True).order_by("created_at", "id")[:RELAY_BATCH]:
            try:
                app.send_task(message.task_name, kwargs=message.kwargs, retry=False)
            except Exception:  # noqa: BLE001 - broker down: keep the row, count the attempt
                logger.warning("outbox: broker unavailable, message %s kept for the next relay", message.pk)
                OutboxMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
                break
            sent.append(message.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(attempts=F("attempts") + 1, relayed_at=timezone.now())
    return len(sent)
