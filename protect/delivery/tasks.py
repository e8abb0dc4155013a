"""Celery entry points for deliveries: thin, idempotent, retried when the service says."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from .services import DeliveryTemporaryError, deliveries_resume_overdue, delivery_send


# No retry limit here: delivery_send decides when a delivery has failed for good (recorded on its
# row), and while our own mail server is down a delivery waits as long as it takes. Its outcome is
# on the row: no result is stored.
@shared_task(name="protect.delivery.send", bind=True, max_retries=None, ignore_result=True)
def send(self: Any, delivery_id: int) -> str:
    try:
        return delivery_send(delivery_id=delivery_id)
    except DeliveryTemporaryError as exc:
        countdown = max((exc.retry_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=countdown, exc=exc) from exc


@shared_task(name="protect.delivery.resume_overdue")
def resume_overdue() -> int:
    return deliveries_resume_overdue()
