"""Write to the outbox inside the caller's transaction; relay pending messages to Celery."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
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
    transaction.on_commit(lambda: outbox_relay(ids=[message.pk]))
    return message


def outbox_relay(*, ids: list[int] | None = None) -> int:
    """Send pending messages (all, or the given ones). Returns how many were sent."""
    sent = 0
    pending = OutboxMessage.objects.filter(relayed_at=None).order_by("created_at")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    for message_id in list(pending.values_list("pk", flat=True)[:RELAY_BATCH]):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Marking it relayed need not wait for the disk: lost in a database crash, the message
                # is relayed again, and every task is idempotent (a fan-out relays one per delivery).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            locked = OutboxMessage.objects.select_for_update(skip_locked=True)
            message = locked.filter(pk=message_id, relayed_at=None).first()
            if message is None:
                continue  # another relay has it
            message.attempts += 1
            try:
                app.send_task(message.task_name, kwargs=message.kwargs, retry=False)
            except Exception:  # noqa: BLE001 - broker down: keep the row, count the attempt
                logger.warning("outbox: broker unavailable, message %s kept for the next relay", message.pk)
                message.save(update_fields=["attempts"])
                return sent
            message.relayed_at = timezone.now()
            message.save(update_fields=["attempts", "relayed_at"])
            sent += 1
    return sent
